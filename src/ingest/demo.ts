// Deterministic synthetic registration data for demos, tests and benchmarks. The same options
// always give the same objects: every value comes from a small seeded PRNG (mulberry32), and every
// domain is derived from (seed, its index) alone, so the generator streams a million domains in
// constant memory and the host pass can re-derive the domains that need in-bailiwick hosts.
//
// Fixed objects, always present (tests and the README name them):
//   registrar "Example Registrar, Inc." (IANA ID 5555555)
//   nic.example            D1-EXAMPLE, signed, ns1/ns2.nic.example with glue, registrant NIC-REGISTRANT
//   xn--eckwd4c7c.example  (ドメイン.example) D2-EXAMPLE, Japanese registrant YAMADA-TARO
//   private.example        D3-EXAMPLE, registrant PRIVACY-1 (a privacy/proxy service contact)
// `domains` counts these three: { domains: 2000 } gives 2000 domains in all.
//
// Two more shapes of the same data (docs/registrar.md): `mode: 'registrar'` keeps only what one
// registrar sponsors, as its own database holds it (nic.example with a reseller, the registrar's
// own expiry dates in auto-renew periods), for registry.mode registrar; `thin: true` drops every
// contact, as a thin registry holds none, for registry.thin.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { normalizeName } from '../model/idn.js';
import type { Contact, ContactData, Disclose, Domain, DsRecord, PostalInfo, Registrar, RegistryObject } from '../model/types.js';
import type { ImportCounts, Store } from '../store/store.js';
import type { ProgressCallback } from './jsonl.js';

export interface DemoOptions {
  /** Number of domains in all, the three fixed ones included. */
  domains: number;
  seed?: number;
  /** The TLD every domain is under (default `example`). */
  tld?: string;
  /** registrar: only the objects of the registrar `registrar` (an IANA ID of the demo's registrars). */
  mode?: 'registry' | 'registrar';
  registrar?: number;
  /** A thin registry's data: no contacts, and domains that name none. */
  thin?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Randomness

/** mulberry32: tiny, fast, good enough for synthetic data. */
class Rng {
  private s = 0;
  reset(seed: number): this {
    this.s = seed | 0;
    return this;
  }
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  next(): number {
    return this.u32() / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(48 + this.int(10));
    return s;
  }
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A hash of (seed, index, salt); a bijection in index for fixed seed and salt. */
function mix(seed: number, index: number, salt: number): number {
  return fmix((fmix((seed ^ Math.imul(salt + 1, 0x9e3779b1)) >>> 0) + index) >>> 0);
}

interface Weighted {
  w: number;
}
function cumulative(items: readonly Weighted[]): number[] {
  let sum = 0;
  const cum = items.map((x) => (sum += x.w));
  return cum.map((c) => c / sum);
}
function pickWeighted<T>(items: readonly T[], cum: number[], u: number): T {
  for (let i = 0; i < cum.length; i++) if (u < cum[i]) return items[i];
  return items[items.length - 1];
}

// ---------------------------------------------------------------------------------------------
// Time

const DAY = 86_400_000;
const YEAR = 365.25 * DAY;
/** "Now" for the demo data: fixed, so that the data does not depend on the day it is made. */
const NOW = Date.UTC(2026, 9, 1);

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19) + 'Z';
}

/** The anniversary of `from` in `year`, minus one second (how registries print expiry). */
function anniversary(from: number, year: number): number {
  const d = new Date(from);
  return Date.UTC(year, d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) - 1000;
}

/** An expiry on an anniversary of `created`, later than `after`, plus 0-3 more years. */
function expiryAfter(r: Rng, created: number, after: number): number {
  let year = new Date(after).getUTCFullYear();
  while (anniversary(created, year) <= after) year++;
  return anniversary(created, year + r.int(4));
}

// ---------------------------------------------------------------------------------------------
// People and places

interface Pair {
  loc: string; // as written locally (any script)
  int: string; // US-ASCII
}

const GERMAN: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue', Ä: 'Ae', Ö: 'Oe', Ü: 'Ue', ß: 'ss' };
function fold(s: string, german = false): string {
  const t = german ? s.replace(/[äöüÄÖÜß]/g, (c) => GERMAN[c]) : s;
  return t.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ø/g, 'o').replace(/æ/g, 'ae');
}
const latin = (items: string[], german = false): Pair[] => items.map((s) => ({ loc: s, int: fold(s, german) }));
const pairs = (items: string[]): Pair[] => items.map((s) => {
  const [loc, int] = s.split('|');
  return { loc, int };
});

interface City {
  city: Pair;
  sp?: Pair;
  pc: string; // pattern: # digit, @ upper-case letter (of the country's pcLetters), anything else literal
  streets?: Pair[]; // overrides the country's list (Japanese towns)
  phoneDigits?: string; // overrides the country's pattern (the city's own area code)
}

interface Country extends Weighted {
  cc: string;
  phone: string; // calling code
  phoneDigits: string; // pattern of the national number, valid in the country's numbering plan (libphonenumber's metadata)
  pcLetters?: string; // the letters its postal codes use where @ stands (GB and CA leave some out)
  script: 'latin' | 'jp' | 'cyrl';
  given: Pair[];
  givenFemale?: Pair[]; // where the family name has a female form
  feminine?: (family: Pair) => Pair;
  family: Pair[];
  streets: Pair[];
  cities: City[];
  street: (r: Rng, s: Pair) => Pair;
  company: (r: Rng, family: Pair) => Pair;
  eastern?: boolean; // family name first in the local form
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
function fill(pattern: string, r: Rng, letters = LETTERS): string {
  let s = '';
  for (const ch of pattern) s += ch === '#' ? String.fromCharCode(48 + r.int(10)) : ch === '@' ? letters[r.int(letters.length)] : ch;
  return s;
}
/** A US or Canadian city with its area code: numbers in the 555 exchange of a real area code are valid in the plan. */
const naCity = (c: string, pc: string, sp: string, area: string): City => ({ ...city(c, pc, sp), phoneDigits: `${area}555####` });
const city = (c: string, pc: string, sp?: string, german = false): City => ({
  city: { loc: c, int: fold(c, german) },
  pc,
  ...(sp !== undefined && { sp: { loc: sp, int: fold(sp, german) } }),
});
const numFirst = (r: Rng, s: Pair): Pair => {
  const n = String(r.range(1, 2999));
  return { loc: `${n} ${s.loc}`, int: `${n} ${s.int}` };
};
const numLast = (r: Rng, s: Pair): Pair => {
  const n = String(r.range(1, 199));
  return { loc: `${s.loc} ${n}`, int: `${s.int} ${n}` };
};
const numComma = (r: Rng, s: Pair): Pair => {
  const n = String(r.range(1, 1999));
  return { loc: `${s.loc}, ${n}`, int: `${s.int}, ${n}` };
};
function companyOf(activities: Pair[], forms: Pair[], order: 'family-first' | 'activity-first' = 'family-first') {
  return (r: Rng, f: Pair): Pair => {
    const a = r.pick(activities);
    const form = r.pick(forms);
    return order === 'family-first'
      ? { loc: `${f.loc} ${a.loc} ${form.loc}`, int: `${f.int} ${a.int} ${form.int}` }
      : { loc: `${a.loc} ${f.loc} ${form.loc}`, int: `${a.int} ${f.int} ${form.int}` };
  };
}

const US_GIVEN = latin(['James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen', 'Christopher', 'Nancy', 'Daniel', 'Lisa', 'Matthew', 'Emily']);
const US_FAMILY = latin(['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Robinson', "O'Connor", 'Nguyen']);
const US_STREETS = latin(['Main Street', 'Oak Avenue', 'Maple Drive', 'Cedar Lane', 'Elm Street', 'Pine Street', 'Washington Avenue', 'Lake Shore Drive', 'Sunset Boulevard', 'Park Avenue', 'Broadway', 'Market Street', 'Highland Road', 'River Road', 'Church Street']);
const EN_COMPANY = companyOf(latin(['Consulting', 'Holdings', 'Media', 'Software', 'Logistics', 'Design', 'Ventures', 'Foods', 'Partners', 'Labs']), latin(['LLC', 'Inc.', 'Corp.', 'Ltd.']));

const COUNTRIES: Country[] = [
  {
    cc: 'US', w: 18, phone: '1', phoneDigits: '212555####', script: 'latin', given: US_GIVEN, family: US_FAMILY, streets: US_STREETS, street: numFirst, company: EN_COMPANY,
    cities: [naCity('New York', '100##', 'NY', '212'), naCity('Los Angeles', '900##', 'CA', '213'), naCity('Chicago', '606##', 'IL', '312'), naCity('Houston', '770##', 'TX', '713'), naCity('Phoenix', '850##', 'AZ', '602'), naCity('Philadelphia', '191##', 'PA', '215'), naCity('Seattle', '981##', 'WA', '206'), naCity('Denver', '802##', 'CO', '303'), naCity('Boston', '021##', 'MA', '617'), naCity('Austin', '787##', 'TX', '512')],
  },
  {
    cc: 'GB', w: 6, phone: '44', phoneDigits: '2079460###', pcLetters: 'ABDEFGHJLNPQRSTUWXYZ', script: 'latin', street: numFirst, company: companyOf(latin(['Trading', 'Consulting', 'Media', 'Engineering', 'Properties']), latin(['Ltd', 'plc', 'LLP'])),
    given: latin(['Oliver', 'Amelia', 'George', 'Isla', 'Harry', 'Ava', 'Jack', 'Sophie', 'Charlie', 'Grace', 'Siobhan', 'Rhys']),
    family: latin(['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Evans', 'Roberts', 'Walker', 'Wright', 'Hughes', 'Davies']),
    streets: latin(['High Street', 'Station Road', 'Church Lane', 'Victoria Road', 'Green Lane', 'Manor Road', 'Park Road', 'Queen Street', 'Mill Lane']),
    cities: [city('London', 'EC#A #@@'), city('Manchester', 'M# #@@'), city('Birmingham', 'B# #@@'), city('Leeds', 'LS# #@@'), city('Bristol', 'BS# #@@'), city('Edinburgh', 'EH# #@@')],
  },
  {
    cc: 'DE', w: 10, phone: '49', phoneDigits: '30########', script: 'latin', street: numLast,
    company: (r, f) => {
      const a = r.pick(DE_ACTIVITY);
      const form = r.pick(['GmbH', 'AG', 'KG', 'e.K.', 'GmbH & Co. KG']);
      return { loc: `${f.loc} ${a.loc} ${form}`, int: `${f.int} ${a.int} ${form}` };
    },
    given: latin(['Jürgen', 'Jörg', 'Björn', 'Günter', 'Sören', 'Anna', 'Lena', 'Lukas', 'Jonas', 'Maximilian', 'Sophie', 'Marie', 'Paul', 'Käthe', 'Ursula', 'Hannah'], true),
    family: latin(['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Schäfer', 'Koch', 'Bauer', 'Richter', 'Schröder', 'Krüger', 'Weiß', 'Köhler', 'Jäger', 'Möller', 'Groß', 'Fuchs'], true),
    streets: latin(['Hauptstraße', 'Bahnhofstraße', 'Gartenstraße', 'Schulstraße', 'Goethestraße', 'Schillerstraße', 'Lindenstraße', 'Königsallee', 'Friedrichstraße', 'Mühlenweg', 'Am Markt', 'Rosenstraße'], true),
    cities: [city('Berlin', '10###', undefined, true), city('Hamburg', '20###', undefined, true), city('München', '80###', 'Bayern', true), city('Köln', '50###', undefined, true), city('Frankfurt am Main', '60###', 'Hessen', true), city('Düsseldorf', '40###', undefined, true), city('Leipzig', '04###', 'Sachsen', true), city('Nürnberg', '90###', 'Bayern', true)],
  },
  {
    cc: 'FR', w: 5, phone: '33', phoneDigits: '1########', script: 'latin', street: numFirst,
    company: companyOf(latin(['Conseil', 'Édition', 'Immobilier', 'Boulangerie', 'Informatique']), latin(['SARL', 'SAS', 'SA']), 'activity-first'),
    given: latin(['François', 'Hélène', 'Jérôme', 'Céline', 'Amélie', 'Loïc', 'Chloé', 'Théo', 'Léa', 'Hugo', 'Camille', 'Louis', 'Zoé']),
    family: latin(['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Lefèvre', 'Garçon', 'Fontaine', 'Rousseau']),
    streets: latin(['rue de la Paix', 'rue de Rivoli', 'avenue des Champs-Élysées', 'boulevard Saint-Michel', 'place de la République', 'rue Victor Hugo', 'avenue Jean Jaurès', "rue de l'Église", 'quai des Célestins']),
    cities: [city('Paris', '750##'), city('Lyon', '6900#'), city('Marseille', '130##'), city('Toulouse', '310##'), city('Nantes', '440##'), city('Strasbourg', '670##'), city('Montpellier', '340##')],
  },
  {
    cc: 'NL', w: 6, phone: '31', phoneDigits: '20#######', script: 'latin', street: numLast, company: companyOf(latin(['Techniek', 'Advies', 'Handel', 'Media', 'Bouw']), latin(['B.V.', 'N.V.', 'V.O.F.'])),
    given: latin(['Jan', 'Pieter', 'Sanne', 'Daan', 'Emma', 'Lotte', 'Bram', 'Thijs', 'Fleur', 'Ruben', 'Anouk', 'Joost', 'Femke']),
    family: latin(['de Jong', 'Jansen', 'de Vries', 'van den Berg', 'van Dijk', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'de Groot', 'van Leeuwen', 'Dekker']),
    streets: latin(['Keizersgracht', 'Herengracht', 'Prinsengracht', 'Damrak', 'Kalverstraat', 'Stationsweg', 'Dorpsstraat', 'Kerkstraat', 'Molenweg', 'Julianalaan']),
    cities: [city('Amsterdam', '10## @@'), city('Rotterdam', '30## @@'), city('Den Haag', '25## @@'), city('Utrecht', '35## @@'), city('Eindhoven', '56## @@'), city('Groningen', '97## @@')],
  },
  {
    cc: 'SE', w: 4, phone: '46', phoneDigits: '8#######', script: 'latin', street: numLast, company: companyOf(latin(['Bygg', 'Konsult', 'Data', 'Design', 'Import']), latin(['AB', 'HB'])),
    given: latin(['Åsa', 'Björn', 'Lars', 'Karin', 'Erik', 'Maja', 'Oskar', 'Elsa', 'Nils', 'Ingrid', 'Göran', 'Märta']),
    family: latin(['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Lindström', 'Åberg', 'Ström', 'Sjöberg']),
    streets: latin(['Drottninggatan', 'Kungsgatan', 'Storgatan', 'Vasagatan', 'Sveavägen', 'Götgatan', 'Strandvägen', 'Järnvägsgatan']),
    cities: [city('Stockholm', '111 ##'), city('Göteborg', '411 ##'), city('Malmö', '211 ##'), city('Uppsala', '753 ##'), city('Västerås', '721 ##'), city('Örebro', '702 ##')],
  },
  {
    cc: 'ES', w: 4, phone: '34', phoneDigits: '91#######', script: 'latin', street: numComma, company: companyOf(latin(['Consultores', 'Inmobiliaria', 'Distribuciones', 'Diseño']), latin(['S.L.', 'S.A.']), 'activity-first'),
    given: latin(['José', 'María', 'Antonio', 'Carmen', 'Manuel', 'Lucía', 'Javier', 'Sofía', 'Álvaro', 'Martina', 'Iñigo', 'Begoña']),
    family: latin(['García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Jiménez', 'Muñoz', 'Núñez', 'Ibáñez']),
    streets: latin(['Calle Mayor', 'Gran Vía', 'Calle de Alcalá', 'Paseo de la Castellana', 'Avenida de la Constitución', 'Calle Real', 'Plaza de España', 'Rambla de Catalunya']),
    // Spanish addresses name their province (the postal code's first two digits are its number).
    cities: [city('Madrid', '280##', 'Madrid'), city('Barcelona', '080##', 'Barcelona'), city('Sevilla', '410##', 'Sevilla'), city('Valencia', '460##', 'Valencia'), city('Zaragoza', '500##', 'Zaragoza'), { ...city('Málaga', '290##'), sp: { loc: 'Málaga', int: 'MA' } }, city('Bilbao', '480##', 'Vizcaya')],
  },
  {
    cc: 'IT', w: 3, phone: '39', phoneDigits: '06########', script: 'latin', street: numLast, company: companyOf(latin(['Servizi', 'Costruzioni', 'Trasporti', 'Informatica']), latin(['S.r.l.', 'S.p.A.']), 'activity-first'),
    given: latin(['Giuseppe', 'Giovanni', 'Maria', 'Anna', 'Francesco', 'Giulia', 'Luca', 'Chiara', 'Marco', 'Niccolò']),
    family: latin(['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'De Luca', 'Mancini']),
    streets: latin(['Via Roma', 'Via Garibaldi', 'Via Dante', 'Corso Vittorio Emanuele II', 'Via Mazzini', 'Piazza del Duomo', 'Via Cavour']),
    cities: [city('Roma', '001##', 'RM'), city('Milano', '201##', 'MI'), city('Napoli', '801##', 'NA'), city('Torino', '101##', 'TO'), city('Firenze', '501##', 'FI'), city('Bologna', '401##', 'BO')],
  },
  {
    cc: 'BR', w: 3, phone: '55', phoneDigits: '113#######', script: 'latin', street: numComma, company: companyOf(latin(['Comércio', 'Serviços', 'Tecnologia', 'Alimentos']), latin(['Ltda.', 'S.A.']), 'activity-first'),
    given: latin(['João', 'Maria', 'José', 'Ana', 'Lucas', 'Júlia', 'Gabriel', 'Beatriz', 'Mateus', 'Larissa']),
    family: latin(['Silva', 'Santos', 'Oliveira', 'Souza', 'Rodrigues', 'Ferreira', 'Alves', 'Pereira', 'Lima', 'Araújo', 'Conceição']),
    streets: latin(['Rua Augusta', 'Avenida Paulista', 'Rua das Flores', 'Rua São Bento', 'Avenida Atlântica', 'Rua da Consolação']),
    cities: [city('São Paulo', '01###-###', 'SP'), city('Rio de Janeiro', '20###-###', 'RJ'), city('Belo Horizonte', '30###-###', 'MG'), city('Curitiba', '80###-###', 'PR'), city('Brasília', '70###-###', 'DF')],
  },
  {
    cc: 'AU', w: 2, phone: '61', phoneDigits: '255500###', script: 'latin', given: US_GIVEN, family: US_FAMILY, streets: US_STREETS, street: numFirst, company: companyOf(latin(['Trading', 'Mining', 'Media']), latin(['Pty Ltd'])),
    cities: [city('Sydney', '20##', 'NSW'), city('Melbourne', '3###', 'VIC'), city('Brisbane', '4###', 'QLD'), city('Perth', '6###', 'WA'), city('Adelaide', '5###', 'SA')],
  },
  {
    cc: 'CA', w: 2, phone: '1', phoneDigits: '416555####', pcLetters: 'ABCEGHJKLMNPRSTVWXYZ', script: 'latin', given: US_GIVEN, family: US_FAMILY, streets: US_STREETS, street: numFirst, company: EN_COMPANY,
    cities: [naCity('Toronto', 'M#@ #@#', 'ON', '416'), naCity('Montréal', 'H#@ #@#', 'QC', '514'), naCity('Vancouver', 'V#@ #@#', 'BC', '604'), naCity('Ottawa', 'K#@ #@#', 'ON', '613'), naCity('Calgary', 'T#@ #@#', 'AB', '403')],
  },
  {
    cc: 'JP', w: 10, phone: '81', phoneDigits: '35#######', script: 'jp', eastern: true, streets: [],
    street: (r, s) => {
      const a = r.range(1, 9), b = r.range(1, 30), c = r.range(1, 20);
      return { loc: `${s.loc}${a}丁目${b}番${c}号`, int: `${a}-${b}-${c} ${s.int}` };
    },
    company: (r, f) => {
      const a = r.pick(JP_ACTIVITY);
      return { loc: `株式会社${f.loc}${a.loc}`, int: `${f.int} ${a.int} K.K.` };
    },
    given: pairs(['太郎|Taro', '花子|Hanako', '健|Ken', '翔太|Shota', '陽菜|Hina', '大輔|Daisuke', '美咲|Misaki', '拓也|Takuya', '由美|Yumi', '直樹|Naoki', '恵|Megumi', '誠|Makoto', 'さくら|Sakura', '蓮|Ren', '葵|Aoi']),
    family: pairs(['山田|Yamada', '佐藤|Sato', '鈴木|Suzuki', '高橋|Takahashi', '田中|Tanaka', '伊藤|Ito', '渡辺|Watanabe', '山本|Yamamoto', '中村|Nakamura', '小林|Kobayashi', '加藤|Kato', '吉田|Yoshida', '松本|Matsumoto', '井上|Inoue']),
    cities: [
      { city: { loc: '千代田区', int: 'Chiyoda-ku' }, sp: { loc: '東京都', int: 'Tokyo' }, pc: '100-00##', streets: pairs(['丸の内|Marunouchi', '大手町|Otemachi', '神田|Kanda']) },
      { city: { loc: '中央区', int: 'Chuo-ku' }, sp: { loc: '東京都', int: 'Tokyo' }, pc: '104-00##', streets: pairs(['銀座|Ginza', '日本橋|Nihonbashi', '築地|Tsukiji']) },
      { city: { loc: '渋谷区', int: 'Shibuya-ku' }, sp: { loc: '東京都', int: 'Tokyo' }, pc: '150-00##', streets: pairs(['道玄坂|Dogenzaka', '神宮前|Jingumae', '恵比寿|Ebisu']) },
      { city: { loc: '大阪市北区', int: 'Kita-ku, Osaka-shi' }, sp: { loc: '大阪府', int: 'Osaka' }, pc: '530-00##', streets: pairs(['梅田|Umeda', '中之島|Nakanoshima']) },
      { city: { loc: '京都市中京区', int: 'Nakagyo-ku, Kyoto-shi' }, sp: { loc: '京都府', int: 'Kyoto' }, pc: '604-8###', streets: pairs(['烏丸|Karasuma', '河原町|Kawaramachi']) },
      { city: { loc: '札幌市中央区', int: 'Chuo-ku, Sapporo-shi' }, sp: { loc: '北海道', int: 'Hokkaido' }, pc: '060-00##', streets: pairs(['大通西|Odori-nishi', '北一条西|Kita-ichijo-nishi']) },
      { city: { loc: '名古屋市中区', int: 'Naka-ku, Nagoya-shi' }, sp: { loc: '愛知県', int: 'Aichi' }, pc: '460-00##', streets: pairs(['栄|Sakae', '錦|Nishiki']) },
    ],
  },
  {
    cc: 'RU', w: 5, phone: '7', phoneDigits: '495#######', script: 'cyrl',
    street: (r, s) => {
      const n = r.range(1, 120);
      if (r.chance(0.5)) return { loc: `${s.loc}, д. ${n}`, int: `${s.int}, d. ${n}` };
      const k = r.range(1, 300);
      return { loc: `${s.loc}, д. ${n}, кв. ${k}`, int: `${s.int}, d. ${n}, kv. ${k}` };
    },
    company: (r, f) => {
      const a = r.pick(RU_ACTIVITY);
      return { loc: `ООО «${f.loc} ${a.loc}»`, int: `OOO "${f.int} ${a.int}"` };
    },
    given: pairs(['Александр|Aleksandr', 'Сергей|Sergey', 'Дмитрий|Dmitry', 'Андрей|Andrey', 'Алексей|Aleksey', 'Иван|Ivan', 'Михаил|Mikhail']),
    givenFemale: pairs(['Елена|Elena', 'Ольга|Olga', 'Наталья|Natalya', 'Анна|Anna', 'Мария|Maria', 'Татьяна|Tatyana']),
    feminine: (f) => ({ loc: `${f.loc}а`, int: `${f.int}a` }),
    family: pairs(['Иванов|Ivanov', 'Смирнов|Smirnov', 'Кузнецов|Kuznetsov', 'Попов|Popov', 'Соколов|Sokolov', 'Лебедев|Lebedev', 'Козлов|Kozlov', 'Новиков|Novikov', 'Морозов|Morozov', 'Волков|Volkov']),
    streets: pairs(['ул. Тверская|ul. Tverskaya', 'ул. Арбат|ul. Arbat', 'Невский пр.|Nevsky pr.', 'ул. Ленина|ul. Lenina', 'ул. Садовая|ul. Sadovaya', 'пр. Мира|pr. Mira', 'ул. Пушкина|ul. Pushkina', 'ул. Гагарина|ul. Gagarina']),
    cities: [
      // Russian addresses name their region; in Latin letters as the address data transliterates it.
      { city: { loc: 'Москва', int: 'Moscow' }, sp: { loc: 'Москва', int: 'Moskva' }, pc: '12####' },
      { city: { loc: 'Санкт-Петербург', int: 'Saint Petersburg' }, sp: { loc: 'Санкт-Петербург', int: 'Sankt-Peterburg' }, pc: '19####' },
      { city: { loc: 'Новосибирск', int: 'Novosibirsk' }, sp: { loc: 'Новосибирская область', int: "Novosibirskaya oblast'" }, pc: '630###' },
      { city: { loc: 'Екатеринбург', int: 'Yekaterinburg' }, sp: { loc: 'Свердловская область', int: "Sverdlovskaya oblast'" }, pc: '620###' },
      { city: { loc: 'Казань', int: 'Kazan' }, sp: { loc: 'Республика Татарстан', int: 'Respublika Tatarstan' }, pc: '420###' },
    ],
  },
  {
    cc: 'UA', w: 2, phone: '380', phoneDigits: '44#######', script: 'cyrl', street: numComma,
    company: (r, f) => {
      const a = r.pick(UA_ACTIVITY);
      return { loc: `ТОВ «${f.loc} ${a.loc}»`, int: `TOV "${f.int} ${a.int}"` };
    },
    given: pairs(['Олександр|Oleksandr', 'Андрій|Andrii', 'Тарас|Taras', 'Богдан|Bohdan', 'Оксана|Oksana', 'Олена|Olena', 'Ірина|Iryna', 'Наталія|Nataliia']),
    family: pairs(['Шевченко|Shevchenko', 'Коваленко|Kovalenko', 'Бондаренко|Bondarenko', 'Ткаченко|Tkachenko', 'Кравченко|Kravchenko', 'Мельник|Melnyk', 'Бойко|Boiko', 'Лисенко|Lysenko']),
    streets: pairs(['вул. Хрещатик|vul. Khreshchatyk', 'вул. Шевченка|vul. Shevchenka', 'просп. Перемоги|prosp. Peremohy', 'вул. Франка|vul. Franka']),
    cities: [
      // Ukrainian addresses name their oblast (Kyiv is a city with the status of one).
      { city: { loc: 'Київ', int: 'Kyiv' }, sp: { loc: 'Київ', int: 'Kyiv city' }, pc: '01###' },
      { city: { loc: 'Львів', int: 'Lviv' }, sp: { loc: 'Львівська область', int: 'Lviv oblast' }, pc: '79###' },
      { city: { loc: 'Одеса', int: 'Odesa' }, sp: { loc: 'Одеська область', int: 'Odessa oblast' }, pc: '65###' },
      { city: { loc: 'Харків', int: 'Kharkiv' }, sp: { loc: 'Харківська область', int: 'Kharkiv oblast' }, pc: '61###' },
    ],
  },
];
const DE_ACTIVITY = latin(['Bäckerei', 'Immobilien', 'Software', 'Maschinenbau', 'Reisen', 'Gebäudetechnik'], true);
const JP_ACTIVITY = pairs(['商事|Shoji', '工業|Kogyo', '電機|Denki', '物産|Bussan', '建設|Kensetsu']);
const RU_ACTIVITY = pairs(['Технологии|Tekhnologii', 'Строй|Stroy', 'Трейд|Treid', 'Консалтинг|Konsalting']);
const UA_ACTIVITY = pairs(['Агро|Ahro', 'Буд|Bud', 'Софт|Soft', 'Транс|Trans']);
const COUNTRY_CUM = cumulative(COUNTRIES);
const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org', 'mail.example.com', 'post.example.net'];

function emailLocal(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9.]+/g, '').replace(/\.{2,}/g, '.').replace(/^\.|\.$/g, '') || 'info';
}
function slugify(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
}

/** The details of a synthetic person or organisation in one of the countries above. */
function makeContactData(r: Rng, legal: boolean): ContactData {
  const country = pickWeighted(COUNTRIES, COUNTRY_CUM, r.next());
  const female = country.givenFemale !== undefined && r.chance(0.5);
  const given = r.pick(female ? country.givenFemale! : country.given);
  let family = r.pick(country.family);
  const org = legal ? country.company(r, family) : undefined;
  if (female && country.feminine) family = country.feminine(family);
  const place = r.pick(country.cities);
  const street = country.street(r, r.pick(place.streets ?? country.streets));
  const streetLines: Pair[] = [street];
  if (country.street === numFirst && r.chance(0.12)) {
    const s = r.chance(0.5) ? `Suite ${r.range(100, 999)}` : `Floor ${r.range(2, 40)}`;
    streetLines.push({ loc: s, int: s });
  }
  const pc = fill(place.pc, r, country.pcLetters);
  const nameInt = `${given.int} ${family.int}`;
  const nameLoc = country.eastern ? `${family.loc} ${given.loc}` : `${given.loc} ${family.loc}`;
  const postal = (form: 'loc' | 'int', name: string): PostalInfo => ({
    name,
    ...(org && { org: org[form] }),
    street: streetLines.map((s) => s[form]),
    city: place.city[form],
    ...(place.sp && { sp: place.sp[form] }),
    pc,
    cc: country.cc,
  });
  const needsLoc =
    country.script !== 'latin' || nameLoc !== nameInt || street.loc !== street.int || place.city.loc !== place.city.int || (org !== undefined && org.loc !== org.int) || (place.sp !== undefined && place.sp.loc !== place.sp.int);
  const data: ContactData = {
    ...(needsLoc && { postalLoc: postal('loc', nameLoc) }),
    postalInt: postal('int', nameInt),
    voice: `+${country.phone}.${fill(place.phoneDigits ?? country.phoneDigits, r)}`,
    email: org && r.chance(0.6)
      ? `${r.pick(['info', 'hostmaster', 'admin', 'office'])}@${slugify(org.int) || 'company'}.example.com`
      : `${emailLocal(`${given.int}.${family.int}`)}${r.chance(0.3) ? r.range(1, 99) : ''}@${r.pick(EMAIL_DOMAINS)}`,
  };
  if (r.chance(0.1)) data.voiceExt = String(r.range(10, 9999));
  if (r.chance(legal ? 0.35 : 0.08)) {
    data.fax = `+${country.phone}.${fill(place.phoneDigits ?? country.phoneDigits, r)}`;
    if (r.chance(0.3)) data.faxExt = String(r.range(10, 999));
  }
  return data;
}

// ---------------------------------------------------------------------------------------------
// Registrars

interface RegistrarSpec extends Weighted {
  ianaId: number;
  name: string;
  code: string; // handle prefix of its contacts
  slug: string; // its own domain: <slug>.example
  postal: Registrar['postal'];
  phone: string;
  admin: string;
  tech: string;
  nameservers: number; // shared name servers ns1..nsN.<slug>.example.net
}

export const FIXED_REGISTRAR_ID = 5555555;

const REGISTRARS: RegistrarSpec[] = [
  { ianaId: FIXED_REGISTRAR_ID, name: 'Example Registrar, Inc.', code: 'EXRR', slug: 'registrar', w: 22, phone: '+1.3105551000', admin: 'Jane Doe', tech: 'John Smith', nameservers: 2, postal: { street: ['1234 Admiralty Way'], city: 'Marina del Rey', sp: 'CA', pc: '90292', cc: 'US' } },
  { ianaId: 5555001, name: 'Nordlicht Domains GmbH', code: 'NORD', slug: 'nordlicht', w: 12, phone: '+49.3055501234', admin: 'Katrin Vogel', tech: 'Stefan Lorenz', nameservers: 3, postal: { street: ['Friedrichstrasse 68'], city: 'Berlin', pc: '10117', cc: 'DE' } },
  { ianaId: 5555002, name: 'Sakura Names K.K.', code: 'SAKU', slug: 'sakura-names', w: 10, phone: '+81.355501234', admin: 'Yuki Tanaka', tech: 'Kenji Mori', nameservers: 2, postal: { street: ['2-21-1 Shibuya'], city: 'Shibuya-ku', sp: 'Tokyo', pc: '150-0002', cc: 'JP' } },
  { ianaId: 5555003, name: 'Polar Registrar AB', code: 'POLR', slug: 'polar', w: 5, phone: '+46.855501234', admin: 'Karin Holm', tech: 'Mats Berg', nameservers: 2, postal: { street: ['Sveavagen 44'], city: 'Stockholm', pc: '111 34', cc: 'SE' } },
  { ianaId: 5555004, name: 'Tulip Hosting B.V.', code: 'TULP', slug: 'tulip', w: 8, phone: '+31.205550789', admin: 'Eva Smits', tech: 'Koen Mertens', nameservers: 2, postal: { street: ['Herengracht 420'], city: 'Amsterdam', pc: '1017 BZ', cc: 'NL' } },
  { ianaId: 5555005, name: 'Maple Leaf Domains Ltd.', code: 'MAPL', slug: 'maple', w: 6, phone: '+1.4165550199', admin: 'Claire Tremblay', tech: 'Ryan Campbell', nameservers: 2, postal: { street: ['100 King Street West', 'Suite 5600'], city: 'Toronto', sp: 'ON', pc: 'M5X 1C9', cc: 'CA' } },
  { ianaId: 5555006, name: 'Baikal Names LLC', code: 'BAIK', slug: 'baikal', w: 7, phone: '+7.4955550123', admin: 'Irina Orlova', tech: 'Pavel Sidorov', nameservers: 2, postal: { street: ['ul. Tverskaya, d. 9'], city: 'Moscow', sp: 'Moskva', pc: '125009', cc: 'RU' } },
  { ianaId: 5555007, name: 'Thames Domains Ltd', code: 'THAM', slug: 'thames', w: 9, phone: '+44.2075550123', admin: 'Olivia Hughes', tech: 'Daniel Price', nameservers: 3, postal: { street: ['30 St Mary Axe'], city: 'London', pc: 'EC3A 8BF', cc: 'GB' } },
  { ianaId: 5555008, name: 'Gallia Noms SAS', code: 'GALL', slug: 'gallia', w: 6, phone: '+33.155501234', admin: 'Sophie Laurent', tech: 'Nicolas Girard', nameservers: 2, postal: { street: ['12 rue de la Paix'], city: 'Paris', pc: '75002', cc: 'FR' } },
  { ianaId: 5555009, name: 'Southern Cross Domains Pty Ltd', code: 'SCRS', slug: 'southern-cross', w: 4, phone: '+61.295550123', admin: 'Chloe Mitchell', tech: 'Liam Walsh', nameservers: 2, postal: { street: ['1 Martin Place'], city: 'Sydney', sp: 'NSW', pc: '2000', cc: 'AU' } },
  { ianaId: 5555010, name: 'Iberia Dominios S.L.', code: 'IBER', slug: 'iberia', w: 5, phone: '+34.915550123', admin: 'Lucia Navarro', tech: 'Pablo Ortega', nameservers: 2, postal: { street: ['Calle de Alcala, 45'], city: 'Madrid', sp: 'Madrid', pc: '28014', cc: 'ES' } },
];
const REGISTRAR_CUM = cumulative(REGISTRARS);

function registrarObject(s: RegistrarSpec): Registrar {
  if (s.ianaId === FIXED_REGISTRAR_ID) {
    return {
      type: 'registrar', ianaId: s.ianaId, name: s.name, postal: s.postal,
      voice: '+1.3105551000', fax: '+1.3105551001', email: 'info@registrar.example',
      whoisServer: 'whois.registrar.example', url: 'https://www.registrar.example', rdapBaseUrl: 'https://rdap.registrar.example/rdap/',
      abuseEmail: 'abuse@registrar.example', abusePhone: '+1.3105551234',
      admin: { name: 'Jane Doe', voice: '+1.3105551002', email: 'admin@registrar.example' },
      tech: { name: 'John Smith', voice: '+1.3105551003', fax: '+1.3105551001', email: 'tech@registrar.example' },
      updated: '2024-01-15T09:30:00Z',
    };
  }
  const domain = `${s.slug}.example`;
  const [cc, number] = s.phone.split('.');
  const near = (d: number) => `${cc}.${number.slice(0, -1)}${d}`;
  const mail = (who: string) => `${who.toLowerCase().replace(/[^a-z]+/g, '.')}@${domain}`;
  return {
    type: 'registrar', ianaId: s.ianaId, name: s.name, postal: s.postal,
    voice: s.phone, email: `info@${domain}`,
    whoisServer: `whois.${domain}`, url: `https://www.${domain}`, rdapBaseUrl: `https://rdap.${domain}/rdap/`,
    abuseEmail: `abuse@${domain}`, abusePhone: near(9),
    admin: { name: s.admin, voice: near(1), email: mail(s.admin) },
    tech: { name: s.tech, voice: near(2), email: mail(s.tech) },
    updated: '2025-03-01T12:00:00Z',
  };
}

const ROLES = [
  { suffix: 'ADMIN', name: 'Domain Administration' },
  { suffix: 'TECH', name: 'Technical Department' },
  { suffix: 'BILL', name: 'Billing Department' },
] as const;

function roleContact(s: RegistrarSpec, role: (typeof ROLES)[number], roid: number): Contact {
  const reg = registrarObject(s);
  return {
    type: 'contact', handle: `${s.code}-${role.suffix}`, roid: `C${roid}-EXAMPLE`, registrarId: s.ianaId,
    postalInt: { name: role.name, org: s.name, ...s.postal },
    voice: reg.voice, email: `${role.suffix.toLowerCase()}@${s.slug}.example`,
    disclose: { name: true, org: true, addr: true, voice: true, email: true },
    created: '2010-01-01T00:00:00Z',
  };
}

function privacyServiceData(s: RegistrarSpec, handle: string): ContactData {
  return {
    postalInt: { name: 'Privacy Administrator', org: `${s.name.replace(/,? (Inc\.|GmbH|K\.K\.|AB|B\.V\.|Ltd\.?|LLC|SAS|Pty Ltd|S\.L\.)$/, '')} Privacy Service`, ...s.postal },
    voice: s.phone,
    email: `${handle.toLowerCase()}@privacy.${s.slug}.example`,
  };
}

// ---------------------------------------------------------------------------------------------
// Domain names

const ASCII_A = ['able', 'acme', 'alpha', 'amber', 'apex', 'arctic', 'atlas', 'aurora', 'azure', 'bay', 'bear', 'berry', 'big', 'birch', 'black', 'blue', 'bold', 'bright', 'brook', 'cedar', 'city', 'clear', 'cloud', 'coast', 'copper', 'coral', 'cosmic', 'crisp', 'crystal', 'daily', 'dawn', 'deep', 'delta', 'desert', 'eagle', 'east', 'echo', 'ember', 'fair', 'fast', 'fern', 'field', 'first', 'fox', 'fresh', 'frost', 'future', 'garden', 'giant', 'global', 'gold', 'grand', 'green', 'happy', 'harbor', 'hazel', 'high', 'honey', 'iron', 'island', 'ivory', 'jade', 'jolly', 'jungle', 'kind', 'lake', 'lark', 'lemon', 'light', 'lime', 'little', 'lucky', 'lunar', 'maple', 'meadow', 'metro', 'mighty', 'mint', 'moon', 'misty', 'noble', 'north', 'nova', 'oak', 'ocean', 'olive', 'orange', 'orbit', 'pacific', 'pearl', 'pine', 'pixel', 'planet', 'polar', 'prime', 'pure', 'quick', 'quiet', 'rapid', 'red', 'river', 'rocky', 'royal', 'ruby', 'rustic', 'sage', 'sand', 'silver', 'simple', 'sky', 'smart', 'snow', 'solar', 'south', 'spring', 'star', 'stone', 'storm', 'summit', 'sun', 'swift', 'tiger', 'true', 'twin', 'urban', 'valley', 'velvet', 'vivid', 'west', 'wild', 'willow', 'wind', 'winter', 'wise', 'zen'];
const ASCII_B = ['agency', 'apps', 'arts', 'auto', 'bakery', 'band', 'bank', 'bay', 'bikes', 'books', 'box', 'brew', 'bridge', 'build', 'cafe', 'camp', 'care', 'cars', 'cast', 'center', 'chat', 'clinic', 'cloud', 'club', 'coffee', 'craft', 'data', 'deals', 'design', 'dental', 'dev', 'diner', 'direct', 'dog', 'dream', 'edu', 'energy', 'farm', 'films', 'fish', 'fit', 'flow', 'foods', 'forge', 'forum', 'fund', 'games', 'gear', 'gifts', 'glass', 'group', 'guide', 'hair', 'health', 'hive', 'home', 'homes', 'hotel', 'house', 'hub', 'inn', 'jobs', 'kitchen', 'lab', 'land', 'law', 'legal', 'life', 'link', 'loans', 'lodge', 'logic', 'mail', 'market', 'media', 'mill', 'motors', 'music', 'net', 'news', 'office', 'online', 'parts', 'pay', 'pets', 'photo', 'pizza', 'plus', 'point', 'press', 'print', 'pro', 'radio', 'realty', 'rentals', 'repair', 'rides', 'school', 'shop', 'site', 'soft', 'solutions', 'sports', 'spot', 'stack', 'store', 'studio', 'style', 'supply', 'systems', 'tax', 'tech', 'tools', 'tours', 'toys', 'trade', 'travel', 'trust', 'tv', 'vision', 'web', 'wine', 'works', 'world', 'yoga', 'zone'];
const RESERVED_LABELS = new Set(['nic', 'private', 'whois', 'rdap', 'www']);

function combos(a: string[], b: string[], sort: boolean): string[] {
  const seen = new Set<string>();
  for (const x of a) for (const y of b) if (x !== y) seen.add(x + y);
  for (const r of RESERVED_LABELS) seen.delete(r);
  const list = [...seen];
  return sort ? list.sort() : list;
}
const ASCII_LABELS = combos(ASCII_A, ASCII_B, true); // sorted: consecutive domains land on neighbouring B-tree pages

type IdnScript = 'ja' | 'de' | 'ru';
const IDN_LABELS: Record<IdnScript, string[]> = {
  ja: combos(
    ['さくら', 'ふじ', '東京', '日本', 'ねこ', 'やま', 'うみ', 'はな', 'そら', 'ほし', 'みどり', '京都', '大阪', '寿司', 'カメラ', 'ゲーム', 'ホテル', '旅行', '音楽', '写真', '料理', '花屋', '本屋'],
    ['ショップ', 'クラブ', 'ネット', 'ストア', '工房', '日記', '食堂', '市場', '情報', '学校', 'カフェ', '屋'],
    false,
  ),
  de: combos(
    ['bäcker', 'müller', 'schön', 'grün', 'größe', 'straße', 'küche', 'bücher', 'möbel', 'tür', 'käse', 'glück', 'blüte', 'fähre', 'höhle', 'süß', 'brücke', 'früh', 'märchen', 'spaß'],
    ['haus', 'laden', 'welt', 'shop', 'markt', 'stube', 'garten', 'netz', 'werk', 'zeit', 'land', 'hof', 'platz', 'dienst'],
    false,
  ),
  ru: combos(
    ['москва', 'дом', 'книги', 'магазин', 'сад', 'море', 'пицца', 'такси', 'новости', 'работа', 'кофе', 'цветы', 'мебель', 'авто', 'отдых', 'игры', 'музыка', 'кино', 'спорт', 'здоровье'],
    ['онлайн', 'центр', 'сервис', 'плюс', 'мир', 'маркет', 'клуб', 'лайн', 'экспресс', 'тут'],
    false,
  ),
};
const IDN_SCRIPTS: IdnScript[] = ['ja', 'de', 'ru'];

// ---------------------------------------------------------------------------------------------
// Statuses

type DateKind = 'normal' | 'add' | 'autoRenew' | 'renew' | 'transfer' | 'redemption' | 'pendingDelete' | 'restore' | 'pendingCreate' | 'recent';
interface StatusKind extends Weighted {
  statuses: string[];
  dates: DateKind;
  noNameservers?: boolean;
}
/** Sane EPP status sets (RFC 5731, RFC 3915) with their share of the domains; every EPP status appears. */
const KINDS: StatusKind[] = [
  { statuses: ['ok'], w: 500, dates: 'normal' },
  { statuses: ['clientTransferProhibited'], w: 200, dates: 'normal' },
  { statuses: ['clientDeleteProhibited', 'clientTransferProhibited', 'clientUpdateProhibited'], w: 100, dates: 'normal' },
  { statuses: ['clientDeleteProhibited', 'clientRenewProhibited', 'clientTransferProhibited', 'clientUpdateProhibited'], w: 8, dates: 'normal' },
  { statuses: ['clientDeleteProhibited', 'clientTransferProhibited', 'clientUpdateProhibited', 'serverDeleteProhibited', 'serverTransferProhibited', 'serverUpdateProhibited'], w: 15, dates: 'normal' },
  { statuses: ['serverRenewProhibited', 'serverTransferProhibited'], w: 3, dates: 'recent' },
  { statuses: ['inactive'], w: 30, dates: 'normal', noNameservers: true },
  { statuses: ['addPeriod'], w: 30, dates: 'add' },
  { statuses: ['addPeriod', 'clientTransferProhibited'], w: 10, dates: 'add' },
  { statuses: ['autoRenewPeriod'], w: 20, dates: 'autoRenew' },
  { statuses: ['renewPeriod'], w: 10, dates: 'renew' },
  { statuses: ['transferPeriod'], w: 10, dates: 'transfer' },
  { statuses: ['pendingDelete', 'redemptionPeriod'], w: 15, dates: 'redemption' },
  { statuses: ['pendingDelete'], w: 5, dates: 'pendingDelete' },
  { statuses: ['pendingDelete', 'pendingRestore'], w: 2, dates: 'restore' },
  { statuses: ['pendingCreate'], w: 1, dates: 'pendingCreate' },
  { statuses: ['pendingRenew'], w: 1, dates: 'recent' },
  { statuses: ['pendingTransfer'], w: 3, dates: 'recent' },
  { statuses: ['pendingUpdate'], w: 1, dates: 'recent' },
  { statuses: ['clientHold'], w: 6, dates: 'normal' },
  { statuses: ['clientHold', 'clientTransferProhibited'], w: 3, dates: 'normal' },
  { statuses: ['serverDeleteProhibited', 'serverHold', 'serverTransferProhibited', 'serverUpdateProhibited'], w: 5, dates: 'recent' },
  { statuses: ['serverHold'], w: 2, dates: 'recent' },
];
const KIND_CUM = cumulative(KINDS);
const HOST_STATUS_SETS: { statuses: string[]; w: number }[] = [
  { statuses: ['linked'], w: 85 },
  { statuses: ['clientDeleteProhibited', 'clientUpdateProhibited', 'linked'], w: 10 },
  { statuses: ['linked', 'serverDeleteProhibited', 'serverUpdateProhibited'], w: 3 },
  { statuses: ['linked', 'pendingUpdate'], w: 2 },
];
const HOST_STATUS_CUM = cumulative(HOST_STATUS_SETS);
const RESELLERS = ['WebStart Hosting', 'PixelPress Sites', 'Bluebird Web Services', 'Hosting Heroes', 'Domain Depot Reseller'];

// ---------------------------------------------------------------------------------------------
// The plan: everything derived from (seed, index)

const SALT = { kind: 1, ownHosts: 2, registrar: 3, privacy: 4, domain: 5, contact: 6, host: 7 } as const;
const OWN_HOSTS_PER_MILLE = 40;
const PRIVACY_PERCENT = 5;
const FIXED_DOMAINS = 3;
const FIXED_CONTACTS = 5;

class Plan {
  readonly seed: number;
  readonly tld: string;
  readonly generated: number; // domains besides the fixed ones
  readonly pool: number; // registrant contacts in the pool
  readonly idnStride = 32; // one domain in 32 is an IDN
  private readonly asciiPerLabel: number;
  private readonly asciiSpace: number;
  private readonly labelOffset: number;
  private readonly idnOffset: number;
  readonly roleBase = FIXED_CONTACTS + 1;
  readonly poolBase = FIXED_CONTACTS + 1 + REGISTRARS.length * ROLES.length;

  constructor(opts: DemoOptions) {
    if (!Number.isSafeInteger(opts.domains) || opts.domains < 0) throw new RangeError(`domains must be a non-negative integer, not ${opts.domains}`);
    this.seed = (opts.seed ?? 1) >>> 0;
    const tld = normalizeName(`nic.${opts.tld ?? 'example'}`);
    if (!tld || tld.aLabel.split('.').length !== 2) throw new RangeError(`not a TLD: ${JSON.stringify(opts.tld)}`);
    this.tld = tld.aLabel.slice(4);
    this.generated = Math.max(0, opts.domains - FIXED_DOMAINS);
    this.pool = Math.max(12, Math.ceil(this.generated * 0.35));
    this.asciiPerLabel = Math.max(1, Math.ceil(this.generated / ASCII_LABELS.length));
    this.asciiSpace = ASCII_LABELS.length * this.asciiPerLabel;
    this.labelOffset = mix(this.seed, 0, 100) % ASCII_LABELS.length;
    this.idnOffset = mix(this.seed, 0, 101);
  }

  kind(i: number): StatusKind {
    // The first generated domains take each status set in turn, so small data sets have them all.
    if (i < KINDS.length) return KINDS[i];
    return pickWeighted(KINDS, KIND_CUM, mix(this.seed, i, SALT.kind) / 4294967296);
  }

  hasOwnHosts(i: number): boolean {
    return mix(this.seed, i, SALT.ownHosts) % 1000 < OWN_HOSTS_PER_MILLE && !this.kind(i).noNameservers;
  }

  registrantOf(i: number): number {
    return Math.floor((i * this.pool) / Math.max(1, this.generated));
  }

  registrarOfContact(p: number): RegistrarSpec {
    return pickWeighted(REGISTRARS, REGISTRAR_CUM, mix(this.seed, p, SALT.registrar) / 4294967296);
  }

  isPrivacy(p: number): boolean {
    return mix(this.seed, p, SALT.privacy) % 100 < PRIVACY_PERCENT;
  }

  contactHandle(p: number): string {
    return `${this.registrarOfContact(p).code}${String(p + 1).padStart(6, '0')}`;
  }

  /** A-label and U-label of generated domain i (unique by construction). */
  domainName(i: number): { name: string; unicodeName?: string } {
    if (i % this.idnStride === this.idnStride - 1) {
      const n = Math.floor(i / this.idnStride);
      const script = IDN_SCRIPTS[n % IDN_SCRIPTS.length];
      const k = Math.floor(n / IDN_SCRIPTS.length);
      const labels = IDN_LABELS[script];
      const q = Math.floor(k / labels.length);
      const label = labels[(k + this.idnOffset) % labels.length] + (q > 0 ? String(q + 1) : '');
      const forms = normalizeName(`${label}.${this.tld}`);
      if (!forms?.uLabel) throw new Error(`demo IDN ${label} does not convert`);
      return { name: forms.aLabel, unicodeName: forms.uLabel };
    }
    // Spread the names evenly (and in sorted order) over label x suffix space.
    const j = Math.floor((i * this.asciiSpace) / Math.max(1, this.generated));
    const c = (Math.floor(j / this.asciiPerLabel) + this.labelOffset) % ASCII_LABELS.length;
    const k = j % this.asciiPerLabel;
    return { name: `${ASCII_LABELS[c]}${k > 0 ? k + 1 : ''}.${this.tld}` };
  }

  /** Creation time and the status-dependent times of generated domain i. */
  times(r: Rng, kind: StatusKind): { created: number; updated?: number; expires: number; transferred?: number } {
    const pastCreated = (min: number) => NOW - min - Math.pow(r.next(), 1.7) * 28 * YEAR;
    switch (kind.dates) {
      case 'add': {
        const created = NOW - r.next() * 4.9 * DAY;
        return { created, expires: anniversary(created, new Date(created).getUTCFullYear() + r.range(1, 2)) };
      }
      case 'pendingCreate': {
        const created = NOW - r.next() * DAY;
        return { created, expires: anniversary(created, new Date(created).getUTCFullYear() + 1) };
      }
      case 'autoRenew': {
        const oldExpiry = NOW - r.range(1, 44) * DAY - r.int(86_400) * 1000;
        const years = r.range(1, 20);
        const created = anniversary(oldExpiry + 1000, new Date(oldExpiry).getUTCFullYear() - years) + 1000;
        return { created, updated: oldExpiry, expires: anniversary(created, new Date(oldExpiry).getUTCFullYear() + 1) };
      }
      case 'renew': {
        const created = pastCreated(30 * DAY);
        const updated = NOW - r.next() * 4.9 * DAY;
        return { created, updated, expires: expiryAfter(r, created, NOW + YEAR) };
      }
      case 'transfer': {
        const created = pastCreated(90 * DAY);
        const transferred = NOW - r.next() * 4.9 * DAY;
        return { created, updated: transferred, transferred, expires: expiryAfter(r, created, NOW + YEAR) };
      }
      case 'redemption':
      case 'pendingDelete':
      case 'restore': {
        const deleted = NOW - (kind.dates === 'redemption' ? r.next() * 29 : kind.dates === 'pendingDelete' ? 30 + r.next() * 4.5 : r.next() * 6) * DAY;
        const created = Math.min(pastCreated(60 * DAY), deleted - 40 * DAY);
        return { created, updated: deleted, expires: expiryAfter(r, created, deleted - 40 * DAY) };
      }
      case 'recent': {
        const created = pastCreated(30 * DAY);
        return { created, updated: NOW - r.next() * 5 * DAY, expires: expiryAfter(r, created, NOW) };
      }
      case 'normal': {
        const created = pastCreated(6 * DAY);
        const times: { created: number; updated?: number; expires: number; transferred?: number } = { created, expires: expiryAfter(r, created, NOW) };
        if (r.chance(0.85)) times.updated = created + r.next() * (NOW - created);
        if (r.chance(0.08)) {
          times.transferred = created + r.next() * (NOW - created);
          if (times.updated === undefined || times.updated < times.transferred) times.updated = times.transferred;
        }
        return times;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The fixed objects

function fixedContacts(): Contact[] {
  const nicOrg = (name: string): PostalInfo => ({ name, org: 'Example Organisation B.V.', street: ['Keizersgracht 123'], city: 'Amsterdam', pc: '1015 CJ', cc: 'NL' });
  return [
    {
      type: 'contact', handle: 'NIC-REGISTRANT', roid: 'C1-EXAMPLE', registrarId: FIXED_REGISTRAR_ID,
      postalInt: nicOrg('Jan de Vries'), voice: '+31.205550123', email: 'j.devries@nic.example',
      disclose: { org: true, addr: true }, created: '2000-10-08T00:40:00Z', updated: '2023-03-14T10:00:00Z',
    },
    {
      type: 'contact', handle: 'NIC-ADMIN', roid: 'C2-EXAMPLE', registrarId: FIXED_REGISTRAR_ID,
      postalInt: nicOrg('Sanne Jansen'), voice: '+31.205550124', email: 'admin@nic.example', created: '2000-10-08T00:41:00Z',
    },
    {
      type: 'contact', handle: 'NIC-TECH', roid: 'C3-EXAMPLE', registrarId: FIXED_REGISTRAR_ID,
      postalInt: nicOrg('Pieter Bakker'), voice: '+31.205550125', voiceExt: '42', fax: '+31.205550199', email: 'hostmaster@nic.example',
      disclose: { org: true, addr: true, voice: true, email: true }, created: '2000-10-08T00:42:00Z',
    },
    {
      type: 'contact', handle: 'YAMADA-TARO', roid: 'C4-EXAMPLE', registrarId: FIXED_REGISTRAR_ID,
      postalLoc: { name: '山田 太郎', street: ['丸の内1丁目1番1号'], city: '千代田区', sp: '東京都', pc: '100-0005', cc: 'JP' },
      postalInt: { name: 'Taro Yamada', street: ['1-1-1 Marunouchi'], city: 'Chiyoda-ku', sp: 'Tokyo', pc: '100-0005', cc: 'JP' },
      voice: '+81.355550100', email: 'taro.yamada@example.com', created: '2012-04-01T03:00:00Z',
    },
    {
      type: 'contact', handle: 'PRIVACY-1', roid: 'C5-EXAMPLE', registrarId: FIXED_REGISTRAR_ID,
      postalInt: { name: 'Privacy Administrator', org: 'Example Registrar Privacy Service', street: ['1234 Admiralty Way'], city: 'Marina del Rey', sp: 'CA', pc: '90292', cc: 'US' },
      voice: '+1.3105551234', email: 'privacy-1@privacy.registrar.example',
      disclose: { name: true, org: true, addr: true, voice: true, email: true },
      privacyProxy: {
        customer: {
          postalInt: { name: 'Emily Johnson', street: ['42 Elm Street'], city: 'Springfield', sp: 'IL', pc: '62701', cc: 'US' },
          voice: '+1.2175550123', email: 'emily.johnson@example.com',
        },
      },
      created: '2019-06-01T12:00:00Z',
    },
  ];
}

function sharedHostName(s: RegistrarSpec, n: number): string {
  return `ns${n}.${s.slug}.example.net`;
}

function* fixedDomains(tld: string): Generator<Domain> {
  const shared = [sharedHostName(REGISTRARS[0], 1), sharedHostName(REGISTRARS[0], 2)];
  yield {
    type: 'domain', name: `nic.${tld}`, roid: 'D1-EXAMPLE', registrarId: FIXED_REGISTRAR_ID,
    registrant: 'NIC-REGISTRANT', admin: 'NIC-ADMIN', tech: 'NIC-TECH',
    nameservers: [`ns1.nic.${tld}`, `ns2.nic.${tld}`],
    statuses: ['clientDeleteProhibited', 'serverTransferProhibited'],
    created: '2000-10-08T00:45:00Z', updated: '2024-05-29T20:13:00Z', expires: '2030-10-08T00:44:59Z',
    ds: [{ keyTag: 12345, algorithm: 13, digestType: 2, digest: '3B5E1B3A0C1F6E1E5D2A1C7B8E9F0A1B2C3D4E5F60718293A4B5C6D7E8F90A1B' }],
  };
  const idn = normalizeName(`ドメイン.${tld}`)!;
  yield {
    type: 'domain', name: idn.aLabel, unicodeName: idn.uLabel, roid: 'D2-EXAMPLE', registrarId: FIXED_REGISTRAR_ID,
    registrant: 'YAMADA-TARO', admin: 'YAMADA-TARO', tech: 'EXRR-TECH',
    nameservers: shared, statuses: ['ok'],
    created: '2012-04-01T03:15:00Z', updated: '2025-04-01T03:15:00Z', expires: '2027-04-01T03:14:59Z', ds: [],
  };
  yield {
    type: 'domain', name: `private.${tld}`, roid: 'D3-EXAMPLE', registrarId: FIXED_REGISTRAR_ID,
    registrant: 'PRIVACY-1', admin: 'PRIVACY-1', tech: 'PRIVACY-1', billing: 'EXRR-BILL',
    nameservers: shared, statuses: ['clientTransferProhibited'],
    created: '2019-06-01T12:05:00Z', updated: '2026-06-01T12:05:00Z', expires: '2027-06-01T12:04:59Z', ds: [],
  };
}

// ---------------------------------------------------------------------------------------------
// The generator

function hex(r: Rng, bytes: number): string {
  let s = '';
  for (let i = 0; i < bytes; i += 4) s += r.u32().toString(16).padStart(8, '0');
  return s.slice(0, bytes * 2).toUpperCase();
}

function ipv4(r: Rng): string {
  return `${r.chance(0.5) ? '198.51.100' : '203.0.113'}.${r.range(1, 254)}`;
}
function ipv6(r: Rng): string {
  return `2001:db8:${r.range(1, 0xffff).toString(16)}:${r.range(1, 0xffff).toString(16)}::${r.range(1, 0xff).toString(16)}`;
}

/** The IANA IDs of the demo's registrars (a registrar-mode data set is one of theirs). */
export const DEMO_REGISTRAR_IDS: readonly number[] = REGISTRARS.map((s) => s.ianaId);

/** How many objects of each kind demoObjects(opts) yields. */
export function demoCounts(opts: DemoOptions): ImportCounts & { total: number } {
  if (reshaped(opts)) {
    // A registrar's share or a thin registry's: counted by making them (the plan cannot tell).
    const counts = { registrar: 0, contact: 0, host: 0, domain: 0 };
    for (const obj of demoObjects(opts)) counts[obj.type]++;
    return { ...counts, total: counts.registrar + counts.contact + counts.host + counts.domain };
  }
  const plan = new Plan(opts);
  let own = 0;
  for (let i = 0; i < plan.generated; i++) if (plan.hasOwnHosts(i)) own++;
  const registrar = REGISTRARS.length;
  const contact = FIXED_CONTACTS + REGISTRARS.length * ROLES.length + plan.pool;
  const host = 2 + REGISTRARS.reduce((n, s) => n + s.nameservers, 0) + 2 * own;
  const domain = FIXED_DOMAINS + plan.generated;
  return { registrar, contact, host, domain, total: registrar + contact + host + domain };
}

function reshaped(opts: DemoOptions): boolean {
  return (opts.mode ?? 'registry') === 'registrar' || opts.thin === true;
}

/** Every demo object, in an order that satisfies references: registrars, contacts, hosts, domains. */
export function* demoObjects(opts: DemoOptions): Generator<RegistryObject> {
  if (!reshaped(opts)) return yield* registryObjects(opts);
  const shape = opts.thin ? thinObject : registrarObjectOf(opts);
  for (const obj of registryObjects(opts)) {
    const shaped = shape(obj);
    if (shaped) yield shaped;
  }
}

/** A thin registry's view of an object: no contacts at all. */
function thinObject(obj: RegistryObject): RegistryObject | undefined {
  if (obj.type === 'contact') return undefined;
  if (obj.type !== 'domain') return obj;
  const { registrant: _r, admin: _a, tech: _t, billing: _b, ...domain } = obj;
  return domain;
}

/** What the registrar `opts.registrar`'s own database holds of an object (nothing of other registrars). */
function registrarObjectOf(opts: DemoOptions): (obj: RegistryObject) => RegistryObject | undefined {
  if (opts.thin) throw new RangeError('a registrar holds its contacts: thin is for a registry (serve a registrar of a thin registry with registry.thin)');
  const id = opts.registrar;
  if (id === undefined || !DEMO_REGISTRAR_IDS.includes(id)) throw new RangeError(`the registrar must be one of the demo's (${DEMO_REGISTRAR_IDS.join(', ')}), not ${id}`);
  return (obj) => {
    if ((obj.type === 'registrar' ? obj.ianaId : obj.registrarId) !== id) return undefined;
    if (obj.type !== 'domain') return obj;
    const domain = { ...obj };
    // The example of the registrar layout (docs/registrar-rdds.md §2) is sold through a reseller.
    if (domain.roid === 'D1-EXAMPLE') domain.reseller = RESELLERS[0];
    // In an auto-renew period the registry has renewed the name; the registrar's own expiry stays until its customer pays.
    if (domain.statuses.includes('autoRenewPeriod')) domain.registrarExpires = yearEarlier(domain.expires);
    return domain;
  };
}

function yearEarlier(isoTime: string): string {
  const d = new Date(isoTime);
  d.setUTCFullYear(d.getUTCFullYear() - 1);
  return iso(d.getTime());
}

function* registryObjects(opts: DemoOptions): Generator<RegistryObject> {
  const plan = new Plan(opts);
  const { seed, tld } = plan;
  const r = new Rng();

  // Registrars.
  for (const s of REGISTRARS) yield registrarObject(s);

  // Contacts: the fixed ones, each registrar's role contacts, then the pool of registrants.
  yield* fixedContacts();
  let roid = plan.roleBase;
  for (const s of REGISTRARS) for (const role of ROLES) yield roleContact(s, role, roid++);
  for (let p = 0; p < plan.pool; p++) {
    r.reset(mix(seed, p, SALT.contact));
    const spec = plan.registrarOfContact(p);
    const handle = plan.contactHandle(p);
    const created = NOW - 10 * DAY - Math.pow(r.next(), 1.5) * 28 * YEAR;
    let data: ContactData;
    let disclose: Disclose | undefined;
    let privacyProxy: Contact['privacyProxy'];
    if (plan.isPrivacy(p)) {
      data = privacyServiceData(spec, handle);
      disclose = { name: true, org: true, addr: true, voice: true, email: true };
      privacyProxy = { customer: makeContactData(r, r.chance(0.1)) };
    } else {
      const legal = r.chance(0.3);
      data = makeContactData(r, legal);
      if (legal && r.chance(0.6)) {
        disclose = { org: true, addr: true, voice: r.chance(0.7), email: r.chance(0.5) };
        if (r.chance(0.3)) disclose.name = true;
      }
    }
    const contact: Contact = {
      type: 'contact', handle, roid: `C${plan.poolBase + p}-EXAMPLE`, registrarId: spec.ianaId,
      ...data, ...(disclose && { disclose }), ...(privacyProxy && { privacyProxy }), created: iso(created),
    };
    if (r.chance(0.4)) contact.updated = iso(created + r.next() * (NOW - created));
    yield contact;
  }

  // Hosts: nic.example's, the registrars' shared name servers, then in-bailiwick hosts with glue.
  yield { type: 'host', name: `ns1.nic.${tld}`, roid: 'H1-EXAMPLE', registrarId: FIXED_REGISTRAR_ID, addresses: ['192.0.2.53', '2001:db8::53'], statuses: ['linked'], created: '2000-10-08T00:45:00Z' };
  yield { type: 'host', name: `ns2.nic.${tld}`, roid: 'H2-EXAMPLE', registrarId: FIXED_REGISTRAR_ID, addresses: ['192.0.2.54'], statuses: ['linked'], created: '2000-10-08T00:45:00Z' };
  let hostRoid = 3;
  for (const s of REGISTRARS) {
    for (let n = 1; n <= s.nameservers; n++) {
      yield { type: 'host', name: sharedHostName(s, n), roid: `H${hostRoid++}-EXAMPLE`, registrarId: s.ianaId, addresses: [], statuses: ['linked'], created: '2010-01-01T00:00:00Z' };
    }
  }
  for (let i = 0; i < plan.generated; i++) {
    if (!plan.hasOwnHosts(i)) continue;
    const { name, unicodeName } = plan.domainName(i);
    const registrarId = plan.registrarOfContact(plan.registrantOf(i)).ianaId;
    r.reset(mix(seed, i, SALT.domain));
    const created = plan.times(r, plan.kind(i)).created; // the same first draws as the domain below
    r.reset(mix(seed, i, SALT.host));
    const statuses = pickWeighted(HOST_STATUS_SETS, HOST_STATUS_CUM, r.next()).statuses;
    const statusesOf = () => [...statuses];
    const createdText = iso(created + r.next() * Math.min(DAY, NOW - created));
    for (const n of [1, 2]) {
      const addresses = n === 1 || r.chance(0.5) ? [ipv4(r), ipv6(r)] : [ipv4(r)];
      yield {
        type: 'host', name: `ns${n}.${name}`, ...(unicodeName && { unicodeName: `ns${n}.${unicodeName}` }),
        roid: `H${hostRoid++}-EXAMPLE`, registrarId, addresses, statuses: statusesOf(), created: createdText,
      };
    }
  }

  // Domains.
  yield* fixedDomains(tld);
  for (let i = 0; i < plan.generated; i++) {
    const kind = plan.kind(i);
    const { name, unicodeName } = plan.domainName(i);
    const p = plan.registrantOf(i);
    const spec = plan.registrarOfContact(p);
    const handle = plan.contactHandle(p);
    r.reset(mix(seed, i, SALT.domain));
    const t = plan.times(r, kind);
    let nameservers: string[];
    if (kind.noNameservers) nameservers = [];
    else if (plan.hasOwnHosts(i)) nameservers = [`ns1.${name}`, `ns2.${name}`];
    else {
      nameservers = [sharedHostName(spec, 1), sharedHostName(spec, 2)];
      if (spec.nameservers > 2) nameservers.push(sharedHostName(spec, 3));
    }
    const ds: DsRecord[] = [];
    if (nameservers.length > 0 && r.chance(0.2)) {
      const algorithm = r.chance(0.7) ? 13 : r.chance(0.67) ? 8 : 15;
      const n = r.chance(0.05) ? 2 : 1;
      for (let k = 0; k < n; k++) {
        const digestType = r.chance(0.85) ? 2 : 4;
        ds.push({ keyTag: r.int(65536), algorithm, digestType, digest: hex(r, digestType === 2 ? 32 : 48) });
      }
    }
    const u = r.next();
    const admin = u < 0.55 ? handle : u < 0.85 ? `${spec.code}-ADMIN` : undefined;
    const tech = r.chance(0.75) ? `${spec.code}-TECH` : handle;
    const domain: Domain = {
      type: 'domain', name, ...(unicodeName && { unicodeName }), roid: `D${FIXED_DOMAINS + 1 + i}-EXAMPLE`, registrarId: spec.ianaId,
      registrant: handle, ...(admin && { admin }), tech, ...(r.chance(0.3) && { billing: `${spec.code}-BILL` }),
      nameservers, statuses: [...kind.statuses],
      created: iso(t.created), ...(t.updated !== undefined && { updated: iso(t.updated) }), expires: iso(t.expires),
      ...(t.transferred !== undefined && { transferred: iso(t.transferred) }),
      ds,
    };
    if (r.chance(0.08)) domain.reseller = r.pick(RESELLERS);
    yield domain;
  }
}

/** The demo objects as JSON Lines (one object per string, without the newline); see docs/import-format.md. */
export function* demoJsonLines(opts: DemoOptions): Generator<string> {
  for (const obj of demoObjects(opts)) yield JSON.stringify(obj);
}

/** Writes the demo data as a JSON Lines file. */
export async function writeDemoJsonLines(path: string, opts: DemoOptions): Promise<number> {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  let lines = 0;
  let batch = '';
  for (const line of demoJsonLines(opts)) {
    batch += line + '\n';
    lines++;
    if (batch.length > 1 << 18) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(batch);
  await once(out, 'finish');
  return lines;
}

/**
 * Writes the demo data into the store in one transaction. onProgress receives
 * (objects written, objects written, objects in all), the shape progressReporter expects.
 */
export async function writeDemo(store: Store, opts: DemoOptions, onProgress?: ProgressCallback): Promise<ImportCounts> {
  const total = onProgress ? demoCounts(opts).total : 0;
  const { counts } = await store.transaction(async (writer) => {
    let n = 0;
    for (const obj of demoObjects(opts)) {
      await writer.put(obj);
      if (onProgress && ++n % 4096 === 0) onProgress(n, n, total);
    }
    onProgress?.(n, n, total);
  });
  return counts;
}
