// A cached answer restamped with a new data time must be exactly the answer rendered at that time:
// on port 43, in RDAP and on the web page; and a date in the data equal to the old time stays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DomainRecord } from '../../src/model/records.js';
import { PUBLIC_ACCESS, viewDomain } from '../../src/policy/view.js';
import { HtmlRenderer } from '../../src/render/html.js';
import { builtInLanguage } from '../../src/render/page-language.js';
import { RdapRenderer } from '../../src/render/rdap.js';
import { restampHtml, restampRdap, restampWhois } from '../../src/render/restamp.js';
import { WhoisRenderer } from '../../src/render/whois.js';
import type { Resolution } from '../../src/resolution.js';
import { contact, domain, host, registrar } from '../store/fixtures.js';

const OLD = '2024-05-29T20:15:00Z';
const NEW = '2026-12-01T09:08:07Z';
const client = { remote: { door: 'whois' as const, address: '192.0.2.1' }, key: '192.0.2.1', tier: 'public' as const };

function record(): DomainRecord {
  // The domain was updated at the very time of the old data version: that date must not move.
  return {
    domain: domain('nic.example', { updated: OLD, billing: undefined }),
    registrar: registrar(),
    contacts: { registrant: contact('REG-1'), admin: contact('ADM-1'), tech: contact('TECH-1') },
    hosts: [host('ns1.nic.example', ['192.0.2.53']), host('ns2.nic.example')],
  };
}

const at = (updatedAt: string, outcome: Resolution['outcome'] = 'answered'): Resolution => ({
  outcome,
  client,
  view: outcome === 'answered' ? viewDomain(record(), PUBLIC_ACCESS) : undefined,
  query: { kind: 'domain', name: outcome === 'answered' ? 'nic.example' : 'gone.example' },
  data: { serial: 1, updatedAt },
});

test('port 43: the footer time, and only it', () => {
  const whois = new WhoisRenderer({ languages: ['ja'], termsOfUse: 'Terms.' });
  for (const outcome of ['answered', 'not-found'] as const) {
    const old = whois.render(at(OLD, outcome));
    assert.equal(restampWhois(old, NEW), whois.render(at(NEW, outcome)), outcome);
    assert.equal(restampWhois(Buffer.from(old), NEW).toString(), whois.render(at(NEW, outcome)), `${outcome}, as bytes`);
  }
  assert.match(restampWhois(whois.render(at(OLD)), NEW), /Updated Date \(更新日\): 2024-05-29T20:15:00Z/, 'the data date stays');
});

test('RDAP: every "last update of RDAP database" event, and only those', () => {
  const rdap = new RdapRenderer({ baseUrl: 'https://rdap.nic.example/rdap/', port43: 'whois.nic.example', termsOfUse: 'Terms.', termsOfUseUrl: 'https://nic.example/terms' });
  const old = rdap.render(at(OLD), { relative: 'domain/nic.example' }).body;
  const fresh = rdap.render(at(NEW), { relative: 'domain/nic.example' }).body;
  assert.notDeepEqual(old, fresh);
  assert.deepEqual(restampRdap(old, NEW), fresh);
  assert.equal(JSON.parse(restampRdap(old, NEW).toString()).events.find((e: { eventAction: string }) => e.eventAction === 'last changed').eventDate, OLD);
});

test('web: the page line and the port-43 text it shows', () => {
  const whois = new WhoisRenderer({ languages: [], termsOfUse: 'Terms.' });
  const html = new HtmlRenderer({ registryName: 'Example Registry', termsOfUse: 'Terms.', termsOfUseUrl: 'https://nic.example/terms', languages: [builtInLanguage('en')], freeLookups: 20 });
  const page = (updatedAt: string) => html.lookup(at(updatedAt), { lang: 'en', q: 'nic.example', selfPath: '/whois?q=nic.example', whoisText: whois.render(at(updatedAt)) }).body;
  assert.equal(restampHtml(page(OLD), NEW), page(NEW));
  assert.match(restampHtml(page(OLD), NEW), /2024-05-29 20:15:00 UTC/, 'the data date stays');
});
