// CI's dependency check: `npm audit --omit=dev` (what is shipped, not the test tools), failing on
// high and critical advisories. Each advisory that is accepted must be explained in
// docs/reliability.md ("Security") and listed in ACCEPTED by its GitHub advisory id.
// When the registry does not serve the advisory endpoint (a mirror that answers GET only), the
// check cannot be made: that is said in one line, and the run goes on.
import { spawnSync } from 'node:child_process';

/** GHSA ids accepted after review (see docs/reliability.md, "Security"). */
const ACCEPTED = new Set([]);
const BLOCKING = new Set(['high', 'critical']);

const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', timeout: 120_000 });
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  console.log(`audit: npm audit gave no report (${(run.stderr || run.error?.message || 'no output').trim().split('\n')[0]}); dependencies not checked`);
  process.exit(0);
}
if (!report.vulnerabilities) {
  console.log(`audit: the advisory database could not be asked (${report.message ?? report.error?.summary ?? 'unknown error'}); dependencies not checked`);
  process.exit(0);
}

const blocking = [];
for (const [name, v] of Object.entries(report.vulnerabilities)) {
  for (const via of v.via) {
    if (typeof via !== 'object') continue; // through another package, reported there
    const id = String(via.url ?? '').split('/').pop();
    const line = `${name} ${v.range}: ${via.severity} ${via.title} (${via.url})`;
    if (BLOCKING.has(via.severity) && !ACCEPTED.has(id)) blocking.push(line);
    else console.log(`audit: ${ACCEPTED.has(id) ? 'accepted' : 'not blocking'}: ${line}`);
  }
}
const counts = Object.entries(report.metadata?.vulnerabilities ?? {}).filter(([k, n]) => k !== 'total' && n > 0).map(([k, n]) => `${n} ${k}`);
console.log(`audit: npm audit --omit=dev: ${counts.length ? counts.join(', ') : 'no advisories'}`);
for (const line of blocking) console.log(`audit: BLOCKING: ${line}`);
process.exit(blocking.length ? 1 : 0);
