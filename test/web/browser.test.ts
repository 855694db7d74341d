// The web pages in a real browser: playwright-core driving Debian's chromium (headless, fresh
// profile, no network besides the test server). Looks up a domain, an IDN and a missing name,
// solves the captcha, searches as an authorised client and pages through the results, and meets
// the 429 page. Screenshots of the main pages go to docs/screenshots/. Skipped without chromium.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startTestService, type TestService } from '../helpers/service.js';
import { webObjects } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const AXE_SOURCE = (createRequire(import.meta.url)('axe-core') as { source: string }).source;
const skip = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install chromium) — browser tests skipped`;
// The README's pictures are refreshed only on request (RDDS_SCREENSHOTS=1 npm test), so that an
// ordinary test run leaves the work tree clean.
const SHOTS = process.env.RDDS_SCREENSHOTS ? join(process.cwd(), 'docs', 'screenshots') : mkdtempSync(join(tmpdir(), 'rdds-shots-'));

describe('web pages in chromium', { skip }, () => {
  let profile: string;
  let browser: BrowserContext;
  const cspViolations: string[] = [];

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'rdds-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
      viewport: { width: 1000, height: 900 },
    });
  });
  after(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function open(): Promise<Page> {
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
    return page;
  }

  async function lookup(page: Page, q: string) {
    await page.fill('#q', q);
    const [response] = await Promise.all([page.waitForNavigation(), page.press('#q', 'Enter')]);
    return response!;
  }

  it('looks up a domain, an IDN and a missing name, then solves the captcha', async () => {
    const svc: TestService = await startTestService({ 'web.captcha.free_lookups': '3', 'web.captcha.max_number': '2000' }, webObjects());
    const base = `http://127.0.0.1:${svc.ports.http}`;
    const page = await open();
    try {
      await page.goto(`${base}/`);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await page.locator('label[for=q]').count(), 1, 'the box has a label');
      await page.screenshot({ path: join(SHOTS, 'home.png') });

      let res = await lookup(page, 'nic.example');
      assert.equal(res.status(), 200);
      assert.equal(await page.textContent('h1'), 'nic.example');
      const headings = await page.locator('h2').allTextContents();
      for (const h of ['Registration', 'Registrar', 'Status', 'Contacts', 'Name servers', 'DNSSEC', 'Terms of use']) assert.ok(headings.includes(h), `${h} in ${headings}`);
      assert.ok((await page.textContent('body'))!.includes('The registrar has locked the domain against transfer'));
      await page.click('details.whois-text summary');
      assert.match((await page.textContent('details.whois-text pre'))!, /Domain Name: NIC\.EXAMPLE/);
      await page.screenshot({ path: join(SHOTS, 'domain.png'), fullPage: true });

      res = await lookup(page, 'ドメイン.example');
      assert.equal(res.status(), 200);
      assert.equal(await page.textContent('h1'), 'ドメイン.example');
      assert.ok((await page.textContent('body'))!.includes('xn--eckwd4c7c.example'));

      res = await lookup(page, 'missing.example');
      assert.equal(res.status(), 404);
      assert.match((await page.textContent('main'))!, /No object matches missing\.example/);

      // The fourth lookup of the day from this address needs the proof-of-work.
      res = await lookup(page, 'nic.example');
      assert.equal(res.status(), 403);
      assert.equal(await page.textContent('h1'), 'Please confirm you are a person');
      assert.equal(await page.locator('text=Registry Domain ID').count(), 0, 'no data without a solved challenge');
      await page.waitForSelector('altcha-widget input[type=checkbox]');
      await page.screenshot({ path: join(SHOTS, 'captcha.png') });
      // By keyboard, as a person without a mouse would.
      await page.focus('altcha-widget input[type=checkbox]');
      await page.keyboard.press('Space');
      await page.waitForFunction(() => (document.querySelector('altcha-widget input[name=altcha]') as HTMLInputElement | null)?.value, null, { timeout: 30000 });
      const [solved] = await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
      assert.equal(solved!.status(), 200);
      assert.equal(await page.textContent('h1'), 'nic.example');

    } finally {
      await page.close();
      await svc.stop();
    }
  });

  it('runs a search as an authorised client and pages through the results', async () => {
    const svc = await startTestService({ 'policy.tiers.authorized': '127.0.0.1/32', 'web.page_size': '10' }, webObjects());
    const base = `http://127.0.0.1:${svc.ports.http}`;
    const page = await open();
    try {
      await page.goto(`${base}/whois?q=nic.example&lang=ja`);
      assert.equal(await page.getAttribute('html', 'lang'), 'ja');
      assert.ok((await page.locator('h2').allTextContents()).includes('連絡先'));
      await page.screenshot({ path: join(SHOTS, 'domain-ja-authorized.png'), fullPage: true });

      await page.goto(`${base}/search`);
      const res = await lookup(page, 'domain:page*');
      assert.equal(res.status(), 200);
      assert.equal(await page.textContent('#results'), 'Results 1–10');
      assert.equal(await page.locator('ol.results li').count(), 10);
      await page.screenshot({ path: join(SHOTS, 'search.png'), fullPage: true });
      await Promise.all([page.waitForNavigation(), page.click('a[rel=next]')]);
      assert.equal(await page.textContent('#results'), 'Results 11–20');
      await Promise.all([page.waitForNavigation(), page.click('a[rel=next]')]);
      assert.equal(await page.textContent('#results'), 'Results 21–25');
      assert.equal(await page.locator('a[rel=next]').count(), 0);
      assert.equal(await page.textContent('ol.results li:last-child'), 'page24.example');
      await Promise.all([page.waitForNavigation(), page.click('ol.results li:first-child a')]);
      assert.equal(await page.textContent('h1'), 'page20.example');
    } finally {
      await page.close();
      await svc.stop();
    }
  });

  it('shows the 429 page with Retry-After past the rate limit', async () => {
    const svc = await startTestService({ 'policy.allowlist': '', 'policy.rate_limit.per_minute': '2', 'policy.rate_limit.ban_after': '0', 'web.captcha.enabled': 'false' }, webObjects());
    const base = `http://127.0.0.1:${svc.ports.http}`;
    const page = await open();
    try {
      await page.goto(`${base}/`);
      await lookup(page, 'nic.example');
      await lookup(page, 'nic.example');
      const res = await lookup(page, 'nic.example');
      assert.equal(res.status(), 429);
      assert.ok(Number(res.headers()['retry-after']) > 0);
      assert.equal(await page.textContent('h1'), 'Too many queries');
      await page.screenshot({ path: join(SHOTS, 'rate-limited.png') });
    } finally {
      await page.close();
      await svc.stop();
    }
  });

  it('every page kind passes axe-core with no serious or critical finding', async () => {
    const pub = await startTestService({ 'web.captcha.free_lookups': '100' }, webObjects());
    const authorised = await startTestService({ 'policy.tiers.authorized': '127.0.0.1/32' }, webObjects());
    const captcha = await startTestService({ 'web.captcha.free_lookups': '0' }, webObjects());
    const pages: [string, TestService, string][] = [
      ['home', pub, '/'],
      ['record', pub, '/whois?q=nic.example'],
      ['record (Japanese)', pub, '/whois?q=nic.example&lang=ja'],
      ['record (authorised)', authorised, '/whois?q=nic.example'],
      ['registrar', pub, '/whois?q=5555555'],
      ['name server', pub, '/whois?q=ns1.nic.example'],
      ['not found', pub, '/whois?q=missing.example'],
      ['bad query', pub, '/whois?q=bad..name'],
      ['search form', authorised, '/search'],
      ['search results', authorised, '/search?q=domain:page*'],
      ['search not allowed', pub, '/search?q=cc:jp'],
      ['captcha', captcha, '/whois?q=nic.example'],
    ];
    const page = await open();
    try {
      const findings: string[] = [];
      for (const [kind, svc, path] of pages) {
        await page.goto(`http://127.0.0.1:${svc.ports.http}${path}`);
        await page.evaluate(AXE_SOURCE);
        const result = (await page.evaluate(() => (window as unknown as { axe: { run: (ctx: Document) => Promise<unknown> } }).axe.run(document))) as {
          violations: { id: string; impact: string; nodes: { html: string }[] }[];
          passes: unknown[];
        };
        assert.ok(result.passes.length > 10, `${kind}: axe ran its checks`);
        for (const v of result.violations) {
          if (v.impact === 'serious' || v.impact === 'critical') findings.push(`${kind}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.html).join(' | ').slice(0, 300)}`);
        }
      }
      assert.deepEqual(findings, []);
    } finally {
      await page.close();
      await Promise.all([pub.stop(), authorised.stop(), captcha.stop()]);
    }
  });

  it('looks right on a phone and raised no CSP violation', async () => {
    const svc = await startTestService({}, webObjects());
    const page = await open();
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`http://127.0.0.1:${svc.ports.http}/whois?q=nic.example`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling (${overflow}px)`);
      await page.screenshot({ path: join(SHOTS, 'domain-phone.png'), fullPage: true });
    } finally {
      await page.close();
      await svc.stop();
    }
    assert.deepEqual(cspViolations, []);
  });
});
