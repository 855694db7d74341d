// The static files of the web pages, served by the web door under /static/. Everything is local:
// the page stylesheet and the captcha loader are here, the ALTCHA widget (its CSP-friendly
// "external" build, stylesheet and SHA worker) is read from node_modules once at start.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface Asset {
  type: string;
  body: Buffer;
}

// Colours meet WCAG AA contrast (text #1a1a1a on #fff 17:1, links #0b57a4 on #fff 7:1, muted #555 7.5:1).
const CSS = `
:root { color-scheme: light; --fg: #1a1a1a; --muted: #555; --bg: #fff; --panel: #f4f6f8; --line: #c9d1d9; --link: #0b57a4; --focus: #b35c00; --bad: #a30d0d; }
* { box-sizing: border-box; }
html { font-size: 100%; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Noto Sans JP", "Noto Sans CJK JP", sans-serif; line-height: 1.5; color: var(--fg); background: var(--bg); }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, summary:focus-visible, main:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--bg); padding: .5rem 1rem; z-index: 10; }
.skip:focus { left: .5rem; }
header { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: .5rem; padding: .75rem 1rem; border-bottom: 1px solid var(--line); background: var(--panel); }
header .brand { margin: 0; font-weight: 700; }
header .brand a { text-decoration: none; color: var(--fg); }
.langs span[aria-current] { font-weight: 700; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 .25rem; }
form.lookup { margin: 0 0 1rem; }
form.lookup label { display: block; font-weight: 600; margin-bottom: .25rem; }
form.lookup .row { display: flex; gap: .5rem; }
form.lookup input[type=text] { flex: 1; min-width: 0; font: inherit; padding: .55rem .7rem; border: 2px solid #6b7785; border-radius: 4px; }
form.lookup button { font: inherit; padding: .55rem 1.1rem; border: 0; border-radius: 4px; background: var(--link); color: #fff; cursor: pointer; }
form.lookup button:hover { background: #084580; }
.hint { color: var(--muted); font-size: .9rem; margin: .35rem 0 0; }
dl { margin: 0; display: grid; grid-template-columns: minmax(10rem, 16rem) 1fr; }
dl > div { display: contents; }
dt { font-weight: 600; padding: .3rem .75rem .3rem 0; border-top: 1px solid #e3e7eb; }
dd { margin: 0; padding: .3rem 0; border-top: 1px solid #e3e7eb; overflow-wrap: anywhere; }
.redacted { color: var(--muted); font-style: italic; }
.statuses { padding-left: 1.2rem; }
.statuses code { font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: 600; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td.digest code { overflow-wrap: anywhere; word-break: break-all; }
details.whois-text { margin: 1.5rem 0; background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: .5rem .75rem; }
details.whois-text summary { cursor: pointer; font-weight: 600; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; font-size: .85rem; }
.error { color: var(--bad); font-weight: 600; }
.notice { background: #fff4d6; padding: .5rem .75rem; border-left: 4px solid #b35c00; }
.results { padding-left: 2.5rem; }
.pager { display: flex; gap: 1.5rem; margin: 1rem 0; }
.updated { color: var(--muted); font-size: .9rem; }
.terms { margin-top: 2rem; color: var(--muted); font-size: .9rem; }
.terms h2 { font-size: 1rem; }
.alabel { color: var(--muted); margin-top: -.75rem; }
altcha-widget { display: block; margin: 1rem 0; }
@media (max-width: 40rem) {
  dl { grid-template-columns: 1fr; }
  dt { border-top: 1px solid #e3e7eb; padding-bottom: 0; }
  dd { border-top: 0; padding-top: 0; }
  form.lookup .row { flex-direction: column; }
  h1 { font-size: 1.35rem; }
}
`;

// Loads the widget, and gives it its SHA-256 worker as a file from this server (no blob: workers).
const CAPTCHA_JS = `import '/static/altcha/altcha.js';
globalThis.$altcha.algorithms.set('SHA-256', () => new Worker('/static/altcha/workers/sha.js'));
if (document.documentElement.lang === 'ja') await import('/static/altcha/i18n/ja.js');
`;

function altchaFiles(): Record<string, Asset> {
  try {
    const require = createRequire(import.meta.url);
    const root = join(dirname(require.resolve('altcha/altcha.css')), '..', '..');
    const read = (path: string) => readFileSync(join(root, 'dist', path));
    return {
      '/static/altcha/altcha.js': { type: 'text/javascript; charset=utf-8', body: read('external/altcha.min.js') },
      '/static/altcha/altcha.css': { type: 'text/css; charset=utf-8', body: read('external/altcha.css') },
      '/static/altcha/workers/sha.js': { type: 'text/javascript; charset=utf-8', body: read('workers/sha.js') },
      '/static/altcha/i18n/ja.js': { type: 'text/javascript; charset=utf-8', body: read('i18n/ja.js') },
    };
  } catch {
    return {};
  }
}

/** Path -> file, read once. */
export function webAssets(): Map<string, Asset> {
  return new Map<string, Asset>(
    Object.entries({
      '/static/web.css': { type: 'text/css; charset=utf-8', body: Buffer.from(CSS) },
      '/static/captcha.js': { type: 'text/javascript; charset=utf-8', body: Buffer.from(CAPTCHA_JS) },
      ...altchaFiles(),
    }),
  );
}
