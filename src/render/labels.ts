// Field-name translations for port 43 (after the English key, in parentheses) and the web page.
// Contact keys are composed from the field table (policy/fields.ts), so each word lives once.
import type { ContactRole } from '../model/types.js';
import { CONTACT_FIELDS, ROLE_WORDS, contactWhoisKey } from '../policy/fields.js';

export type Language = 'en' | 'ja' | 'ru';

const FIXED: Record<string, { ja: string; ru: string }> = {
  'Domain Name': { ja: 'ドメイン名', ru: 'Доменное имя' },
  'Internationalized Domain Name': { ja: '国際化ドメイン名', ru: 'Интернационализированное доменное имя' },
  'Registry Domain ID': { ja: 'レジストリドメインID', ru: 'Идентификатор домена в реестре' },
  'Registrar WHOIS Server': { ja: 'レジストラWHOISサーバ', ru: 'WHOIS-сервер регистратора' },
  'Registrar URL': { ja: 'レジストラURL', ru: 'URL регистратора' },
  'Registrar RDAP URL': { ja: 'レジストラRDAP URL', ru: 'URL RDAP регистратора' },
  'Registry WHOIS Server': { ja: 'レジストリWHOISサーバ', ru: 'WHOIS-сервер реестра' },
  'Registry RDAP URL': { ja: 'レジストリRDAP URL', ru: 'URL RDAP реестра' },
  'Updated Date': { ja: '更新日', ru: 'Дата обновления' },
  'Creation Date': { ja: '登録日', ru: 'Дата создания' },
  'Registry Expiry Date': { ja: '有効期限', ru: 'Дата окончания регистрации' },
  'Registrar Registration Expiration Date': { ja: 'レジストラ登録有効期限', ru: 'Дата окончания регистрации у регистратора' },
  Registrar: { ja: 'レジストラ', ru: 'Регистратор' },
  'Registrar IANA ID': { ja: 'レジストラIANA ID', ru: 'IANA ID регистратора' },
  'Registrar Abuse Contact Email': { ja: 'レジストラ不正利用連絡先メール', ru: 'Адрес для жалоб регистратору' },
  'Registrar Abuse Contact Phone': { ja: 'レジストラ不正利用連絡先電話', ru: 'Телефон для жалоб регистратору' },
  Reseller: { ja: 'リセラー', ru: 'Реселлер' },
  'Domain Status': { ja: 'ドメインステータス', ru: 'Статус домена' },
  'Name Server': { ja: 'ネームサーバ', ru: 'Сервер имён' },
  DNSSEC: { ja: 'DNSSEC', ru: 'DNSSEC' },
  'URL of the ICANN Whois Inaccuracy Complaint Form': { ja: 'ICANN WHOIS不正確情報苦情フォームURL', ru: 'URL формы ICANN для жалоб на неточность WHOIS' },
  'Server Name': { ja: 'サーバ名', ru: 'Имя сервера' },
  'IP Address': { ja: 'IPアドレス', ru: 'IP-адрес' },
  Street: { ja: '住所', ru: 'Улица' },
  City: { ja: '市区町村', ru: 'Город' },
  'State/Province': { ja: '都道府県', ru: 'Регион' },
  'Postal Code': { ja: '郵便番号', ru: 'Почтовый индекс' },
  Country: { ja: '国', ru: 'Страна' },
  'Phone Number': { ja: '電話番号', ru: 'Телефон' },
  'Fax Number': { ja: 'FAX番号', ru: 'Факс' },
  Email: { ja: 'メールアドレス', ru: 'Электронная почта' },
  'Admin Contact': { ja: '管理担当者', ru: 'Административный контакт' },
  'Technical Contact': { ja: '技術担当者', ru: 'Технический контакт' },
};

function contactLabels(): Record<string, { ja: string; ru: string }> {
  const out: Record<string, { ja: string; ru: string }> = {};
  for (const role of Object.keys(ROLE_WORDS) as ContactRole[]) {
    const words = ROLE_WORDS[role];
    for (const field of CONTACT_FIELDS) {
      out[contactWhoisKey(role, field)] = { ja: `${words.ja}${field.label.ja}`, ru: `${field.label.ru} ${words.ru}` };
    }
  }
  return out;
}

const LABELS: Record<string, { ja: string; ru: string }> = { ...FIXED, ...contactLabels() };

/** The translation of a port-43 key, or undefined where there is none. */
export function translate(key: string, language: Language): string | undefined {
  return language === 'en' ? key : LABELS[key]?.[language];
}

/** "Domain Name (ドメイン名 / Доменное имя)" for the configured translations. */
export function keyWithTranslations(key: string, languages: readonly Language[]): string {
  const extra = languages.flatMap((l) => translate(key, l) ?? []);
  return extra.length ? `${key} (${extra.join('/')})` : key;
}
