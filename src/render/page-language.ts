// A language of the web pages: its words (page-texts.ts) and the labels of the fields it shows.
// English, Japanese and Russian are built in; an operator adds another from a YAML file of labels
// (`web.language_files`, docs/web.md), checked whole at start.
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { ConfigError } from '../config.js';
import { CONTACT_ROLES } from '../model/types.js';
import { CONTACT_FIELDS, type ContactField, type ContactFieldId } from '../policy/fields.js';
import { translate } from './labels.js';
import { BUILT_IN_WORDS, PAGE_TEXT_KEYS, type BuiltInLanguage, type PageWords } from './page-texts.js';

export interface PageLanguage extends PageWords {
  /** The language tag (`lang` of the page, `?lang=`). */
  code: string;
  /** The label of a port-43 key ("Domain Name") on this language's pages. */
  key(key: string): string;
  /** The label of a contact field. */
  field(field: ContactField): string;
}

export function isBuiltIn(code: string): code is BuiltInLanguage {
  return Object.hasOwn(BUILT_IN_WORDS, code);
}

export function builtInLanguage(code: BuiltInLanguage): PageLanguage {
  return { code, ...BUILT_IN_WORDS[code], key: (key) => translate(key, code) ?? key, field: (field) => field.label[code] };
}

/**
 * A language from a file: `name`, every page text under `text`, the four contact headings under
 * `roles`; optionally `statuses` (EPP status -> plain words; a status without one is shown
 * without an explanation), `keys` (port-43 key -> label) and `fields` (contact field id -> label),
 * which show the English label where a key is missing.
 */
export function fileLanguage(code: string, file: string, setting = `web.language_files.${code}`): PageLanguage {
  const fail = (what: string): never => {
    throw new ConfigError(`${setting} (${file}): ${what}`);
  };
  let raw: unknown;
  try {
    raw = YAML.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    fail((err as Error).message);
  }
  const doc = record(raw, 'the file must hold a mapping (name, text, roles, ...)', fail);
  const strings = (value: unknown, where: string, allowed?: readonly string[]): Record<string, string> => {
    const map = record(value ?? {}, `${where} must be a mapping`, fail);
    for (const [k, v] of Object.entries(map)) {
      if (allowed && !allowed.includes(k)) fail(`unknown key ${where}.${k}`);
      if (typeof v !== 'string' || v.trim() === '') fail(`${where}.${k} must be a text`);
    }
    return map as Record<string, string>;
  };
  for (const k of Object.keys(doc)) if (!['name', 'text', 'roles', 'statuses', 'keys', 'fields'].includes(k)) fail(`unknown key ${k}`);
  if (typeof doc.name !== 'string' || doc.name.trim() === '') fail('name (the language in itself, e.g. Deutsch) is missing');
  const text = strings(doc.text, 'text', PAGE_TEXT_KEYS);
  const missing = PAGE_TEXT_KEYS.filter((k) => !(k in text));
  if (missing.length > 0) fail(`text is missing ${missing.join(', ')}`);
  const roles = strings(doc.roles, 'roles', CONTACT_ROLES);
  const noRole = CONTACT_ROLES.filter((r) => !(r in roles));
  if (noRole.length > 0) fail(`roles is missing ${noRole.join(', ')}`);
  const keys = strings(doc.keys, 'keys');
  const fields = strings(doc.fields, 'fields', CONTACT_FIELDS.map((f) => f.id));
  return {
    code,
    name: doc.name as string,
    text: text as PageWords['text'],
    roles: roles as PageWords['roles'],
    statuses: strings(doc.statuses, 'statuses'),
    key: (key) => keys[key] ?? key,
    field: (field) => fields[field.id as ContactFieldId] ?? field.label.en,
  };
}

function record(value: unknown, message: string, fail: (what: string) => never): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(message);
  return value as Record<string, unknown>;
}
