// The query log's disk full (a small tmpfs), under queries: every query is still answered, the
// records that did not fit are counted as dropped (metric and a "dropped" line once space is back),
// no line is torn, and the log writes again by itself when the disk has room: nothing restarted.
// Mounting a tmpfs needs root (or CAP_SYS_ADMIN); without it the test says so and skips.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryLogFiles } from '../../src/observe/jsonl-sink.js';
import { startTestService, whoisRaw, type TestService } from '../helpers/service.js';

const dir = mkdtempSync(join(tmpdir(), 'rdds-diskfull-'));
const mountPoint = join(dir, 'log');

function mount(size: string, remount = false): string | undefined {
  try {
    execFileSync('mkdir', ['-p', mountPoint]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', `${remount ? 'remount,' : ''}size=${size}`, 'tmpfs', mountPoint], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return `cannot mount a tmpfs here (${String((err as Error).message).split('\n')[0]}): run as root to test a full disk`;
  }
}

const cannot = mount('64k');

describe('the query log on a full disk', { skip: cannot }, () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ 'log.dir': mountPoint, 'log.flush_ms': '20', 'log.level': 'fatal' });
  });
  after(async () => {
    await svc?.stop().catch(() => undefined);
    execFileSync('umount', [mountPoint]);
    rmSync(dir, { recursive: true, force: true });
  });

  const metric = async (name: string) => {
    const text = await (await fetch(`http://127.0.0.1:${svc.ports.admin}/metrics`)).text();
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  /** The records on disk and the drops the log itself marks; every line must parse. */
  const onDisk = () => {
    let records = 0;
    let later = 0;
    let marked = 0;
    for (const file of queryLogFiles(mountPoint)) {
      for (const line of readFileSync(file.path, 'utf8').split('\n')) {
        if (line === '') continue;
        const rec = JSON.parse(line) as { door?: string; dropped?: number; query?: string };
        if (rec.door === undefined) marked += rec.dropped!;
        else records++;
        if (rec.query?.includes('ns1.nic.example')) later++;
      }
    }
    return { records, later, marked };
  };
  const ask = async (n: number, query = 'nic.example', answer = /Domain Name: NIC\.EXAMPLE/) => {
    for (let i = 0; i < n; i++) assert.match(await whoisRaw(svc.ports.whois, `${query}\r\n`), answer);
  };
  const settle = () => new Promise((r) => setTimeout(r, 300));
  /** Polls until the log holds what it should, 5 s at most (a loaded machine writes late). */
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 50 && !done(); i++) await new Promise((r) => setTimeout(r, 100));
  };

  it('answers every query, counts what did not fit, tears no line, and logs again when there is room', async () => {
    await ask(800); // far more than 64 KB of records
    await settle();
    const dropped = await metric('rdds_query_log_dropped_total');
    assert.ok(dropped > 0, 'records were dropped: the disk was full');
    const full = onDisk();
    assert.ok(full.records > 0 && full.records < 800, `some records fit (${full.records})`);

    assert.equal(mount('4m', true), undefined, 'tmpfs grown');
    await ask(50, 'nameserver ns1.nic.example', /Server Name: NS1\.NIC\.EXAMPLE/);
    await until(() => onDisk().later === 50 && onDisk().records + onDisk().marked === 850);
    const after = onDisk();
    assert.equal(after.later, 50, 'every query after the disk has room is logged');
    // Every answered query is in the log or counted in it as dropped: none missing, none twice.
    assert.equal(after.records + after.marked, 850);
    assert.equal(after.marked, await metric('rdds_query_log_dropped_total'));
  });
});
