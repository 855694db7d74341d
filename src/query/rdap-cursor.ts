// RDAP paging cursors (RFC 8977 §2.3 `cursor`): where the next page of a search starts. A cursor
// is opaque to clients and tamper-proof: the position and the search it belongs to, signed with
// HMAC-SHA-256 under the deployment's key (rdap.cursor_secret; a random key per process when it
// is empty, so nodes behind one load balancer need the same key). An edited, forged or foreign
// cursor is a bad query. The position is keyset paging's: the sort key of the last result shown.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { BadQuery } from './bad-query.js';

/** Where a page starts: after the result with this sort key (see SearchPage.after), in this phase of the search. */
export interface CursorPosition {
  key: string;
  /** The last result's date, for a date order. */
  value?: string;
  /** Entity searches list contacts, then registrars: which list the position is in. */
  phase?: 'contact' | 'registrar';
}

/** What a cursor carries: the search it continues (its stable form), the page it opens, and where that page starts. */
export interface Cursor {
  search: string;
  page: number;
  after: CursorPosition;
}

/** Bytes of the HMAC kept in a cursor (128 bits: forging one is out of reach). */
const MAC_BYTES = 16;
/** Longest cursor accepted (a position is a name or handle and a date). */
const MAX_CURSOR_CHARS = 1024;

export class RdapCursors {
  private readonly key: Buffer;

  /** `secret`: the deployment's key; empty for a random key of this process. */
  constructor(secret: string) {
    this.key = secret === '' ? randomBytes(32) : Buffer.from(secret, 'utf8');
  }

  encode(cursor: Cursor): string {
    const body = Buffer.from(JSON.stringify([cursor.search, cursor.page, cursor.after.key, cursor.after.value ?? null, cursor.after.phase ?? null])).toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The cursor as issued for the search `search`; a BadQuery for anything else. */
  decode(text: string, search: string): Cursor {
    const invalid = () => new BadQuery('the cursor is not one this server issued for this search');
    if (text.length > MAX_CURSOR_CHARS) throw invalid();
    const dot = text.indexOf('.');
    if (dot < 0) throw invalid();
    const body = text.slice(0, dot);
    const mac = Buffer.from(text.slice(dot + 1), 'base64url');
    if (mac.length !== MAC_BYTES || !timingSafeEqual(mac, this.mac(body))) throw invalid();
    const [forSearch, page, key, value, phase] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as [string, number, string, string | null, CursorPosition['phase'] | null];
    if (forSearch !== search) throw new BadQuery('the cursor belongs to another search (a cursor continues the search it was issued for, with the same parameters)');
    return { search: forSearch, page, after: { key, ...(value !== null && { value }), ...(phase !== null && { phase }) } };
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, MAC_BYTES);
  }
}
