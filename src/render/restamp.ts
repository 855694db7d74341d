// The data's time in an answer already rendered, brought up to date. A cached answer stays valid
// while the objects it shows are unchanged (src/answer-cache.ts), but it also shows when the data
// was last updated (the port-43 footer, RDAP's "last update of RDAP database" event, the web page's
// line): that time is overwritten in place. Each place is found by text that data cannot produce
// (a line start, unescaped markup or JSON quotes), and the time always has the same length
// (YYYY-MM-DDThh:mm:ssZ), so nothing else of the answer moves.
import { whoisDate } from './whois.js';

const WHOIS_FOOTER = '\r\n>>> Last update of WHOIS database: ';
const RDAP_EVENT = Buffer.from('"eventAction":"last update of RDAP database","eventDate":"');
const HTML_UPDATED = '<p class="updated">';
const HTML_TIME = '<time datetime="';
const HTML_WHOIS_FOOTER = '\n&gt;&gt;&gt; Last update of WHOIS database: ';

/** Overwrites the characters after each `marker` in `text` with `value`. */
function overwrite(text: string, marker: string, value: string): string {
  let out = text;
  for (let at = out.indexOf(marker); at >= 0; at = out.indexOf(marker, at + marker.length)) {
    const from = at + marker.length;
    out = out.slice(0, from) + value + out.slice(from + value.length);
  }
  return out;
}

/** A port-43 answer (text or its UTF-8 bytes) with the footer's time set to `updatedAt`. */
export function restampWhois<T extends string | Buffer>(answer: T, updatedAt: string): T {
  const stamp = whoisDate(updatedAt);
  if (typeof answer === 'string') return overwrite(answer, WHOIS_FOOTER, stamp) as T;
  const marker = Buffer.from(WHOIS_FOOTER);
  const at = answer.indexOf(marker);
  if (at < 0) return answer;
  const out = Buffer.from(answer);
  out.write(stamp, at + marker.length, 'latin1');
  return out as T;
}

/** An RDAP body with every "last update of RDAP database" event set to `updatedAt`. */
export function restampRdap(body: Buffer, updatedAt: string): Buffer {
  const stamp = whoisDate(updatedAt);
  let out: Buffer | undefined;
  for (let at = body.indexOf(RDAP_EVENT); at >= 0; at = body.indexOf(RDAP_EVENT, at + RDAP_EVENT.length)) {
    out ??= Buffer.from(body);
    out.write(stamp, at + RDAP_EVENT.length, 'latin1');
  }
  return out ?? body;
}

/** A web page with its "last update" line (and the port-43 text it shows) set to `updatedAt`. */
export function restampHtml(page: string, updatedAt: string): string {
  const stamp = whoisDate(updatedAt);
  let out = overwrite(page, HTML_WHOIS_FOOTER, stamp);
  const line = out.indexOf(HTML_UPDATED);
  if (line >= 0) {
    const time = out.indexOf(HTML_TIME, line) + HTML_TIME.length;
    out = out.slice(0, time) + stamp + out.slice(time + stamp.length);
    const shown = out.indexOf('">', time) + 2;
    const display = stamp.replace('T', ' ').replace('Z', ' UTC');
    out = out.slice(0, shown) + display + out.slice(shown + display.length);
  }
  return out;
}
