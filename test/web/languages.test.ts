// Page languages: Russian is built in beside English and Japanese; an operator adds another from a
// file of labels, checked whole at start; and a contact of which nothing may be shown is one line.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { ConfigError, loadConfig } from '../../src/config.js';
import { fileLanguage } from '../../src/render/page-language.js';
import { BUILT_IN_WORDS } from '../../src/render/page-texts.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { webObjects } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'rdds-lang-'));
const german = join(dir, 'de.yaml');
writeFileSync(
  german,
  YAML.stringify({
    name: 'Deutsch',
    // Every page text, here the English ones marked, so the test can tell them apart.
    text: Object.fromEntries(Object.entries(BUILT_IN_WORDS.en.text).map(([k, v]) => [k, `DE ${v}`])),
    roles: { registrant: 'Domaininhaber', admin: 'Administrativer Kontakt', tech: 'Technischer Kontakt', billing: 'Rechnungskontakt' },
    statuses: { clientTransferProhibited: 'Der Registrar hat den Transfer gesperrt.' },
    keys: { 'Registry Domain ID': 'Domain-ID der Registry' },
    fields: { org: 'Organisation' },
  }),
);

async function get(svc: TestService, path: string) {
  const res = await fetch(`http://127.0.0.1:${svc.ports.http}${path}`);
  return { status: res.status, body: await res.text() };
}

describe('page languages', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ 'web.languages': 'en,ja,ru,de', 'web.language_files.de': german }, webObjects());
  });
  after(async () => {
    await svc?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a record in Russian', async () => {
    const r = await get(svc, '/whois?q=nic.example&lang=ru');
    assert.equal(r.status, 200);
    assert.match(r.body, /<html lang="ru"/);
    for (const words of ['Регистрация', 'Регистратор', 'Серверы имён', 'Условия использования', 'Регистрант', 'Организация', 'Идентификатор домена в реестре']) {
      assert.ok(r.body.includes(words), words);
    }
    assert.match(r.body, /<span aria-current="true" lang="ru">Русский<\/span>/);
  });

  it('renders a language from a file of labels, with English labels where the file has none', async () => {
    const r = await get(svc, '/whois?q=nic.example&lang=de');
    assert.equal(r.status, 200);
    assert.match(r.body, /<html lang="de"/);
    assert.ok(r.body.includes('DE Registration'), 'page texts from the file');
    assert.ok(r.body.includes('Domaininhaber'), 'contact headings from the file');
    assert.ok(r.body.includes('Der Registrar hat den Transfer gesperrt.'), 'status words from the file');
    assert.ok(r.body.includes('Domain-ID der Registry'), 'a port-43 key from the file');
    assert.ok(r.body.includes('<dt>Organisation</dt>'), 'a contact field from the file');
    assert.ok(r.body.includes('<dt>Creation Date</dt>'), 'a key the file leaves out: the English label');
    assert.match(r.body, /hreflang="ja" href="[^"]*lang=ja">日本語<\/a>/);
  });

  it('shows a contact of which nothing may be shown as one line', async () => {
    const r = await get(svc, '/whois?q=nic.example');
    const admin = r.body.slice(r.body.indexOf('id="contact-admin"'), r.body.indexOf('</section>', r.body.indexOf('id="contact-admin"')));
    assert.match(admin, /Every detail of this contact is withheld for privacy/);
    assert.doesNotMatch(admin, /<dt>/, 'no rows');
    const registrant = r.body.slice(r.body.indexOf('id="contact-registrant"'), r.body.indexOf('</section>', r.body.indexOf('id="contact-registrant"')));
    assert.match(registrant, /<dt>Organization<\/dt>/, 'a contact with something to show keeps its rows');
  });
});

describe('a language file is checked whole at start', () => {
  it('refuses a language that is neither built in nor given a file, naming the key', () => {
    assert.throws(() => loadConfig(undefined, { 'web.languages': 'en,fr' }, {}), (err: unknown) => err instanceof ConfigError && /web\.languages\[1\] "fr" is not built in \(en, ja, ru\): name its file of labels in web\.language_files\.fr/.test(err.message));
  });

  it('names the file and what is wrong in it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rdds-lang-')), 'xx.yaml');
    const refused = (doc: unknown, message: RegExp) => {
      writeFileSync(file, typeof doc === 'string' ? doc : YAML.stringify(doc));
      assert.throws(() => fileLanguage('xx', file), (err: unknown) => err instanceof ConfigError && message.test(err.message) && err.message.startsWith(`web.language_files.xx (${file}): `), String(message));
    };
    const text = Object.fromEntries(Object.entries(BUILT_IN_WORDS.en.text));
    const roles = BUILT_IN_WORDS.en.roles;
    refused('[1, 2]', /must hold a mapping/);
    refused({ text, roles }, /name .* is missing/);
    refused({ name: 'X', text: { title: 'x' }, roles }, /text is missing searchTitle, skip/);
    refused({ name: 'X', text: { ...text, titel: 'x' }, roles }, /unknown key text\.titel/);
    refused({ name: 'X', text, roles: { registrant: 'r' } }, /roles is missing admin, tech, billing/);
    refused({ name: 'X', text, roles, fields: { nickname: 'n' } }, /unknown key fields\.nickname/);
    refused({ name: 'X', text: { ...text, title: 7 }, roles }, /text\.title must be a text/);
    refused('name: [', /web\.language_files\.xx/);
  });
});
