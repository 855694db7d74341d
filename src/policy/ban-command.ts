// `rdds ban`, `rdds unban`, `rdds bans`: the operator's hand on the ban list of running nodes.
// With `state: redis://...` they write to Redis, where every node sees a ban at once (the ban key
// the admission script reads) and copies the list within a second. With `state: memory` they edit
// the ban file next to the database (bansFilePath), which the running node watches (about a
// second's delay). Nothing is sent to the node itself, so the commands work whether it is running or not.
import type { Config } from '../config.js';
import { clientKey } from './address.js';
import { canonicalCidr, parseCidr } from './cidr-set.js';
import { formatDuration, parseDuration } from './duration.js';
import { bansFilePath } from './rdds-policy.js';
import { redactSecret } from '../observe/log.js';
import { RedisState } from './redis-state.js';
import { BanFile, FOREVER, isPermanent, type Ban } from './state.js';

export class BanCommandError extends Error {}

interface BanStore {
  ban(ban: Ban): Promise<void>;
  unban(target: string): Promise<boolean>;
  bans(now: number): Promise<Ban[]>;
  close(): Promise<void>;
  where: string;
}

async function openBans(config: Config): Promise<BanStore> {
  if (config.state === 'memory') {
    const file = new BanFile(bansFilePath(config));
    return {
      where: `ban file ${file.path}`,
      async ban(ban) {
        file.update(Date.now(), (bans) => [...bans.filter((b) => b.target !== ban.target), ban]);
      },
      async unban(target) {
        let had = false;
        file.update(Date.now(), (bans) => {
          had = bans.some((b) => b.target === target);
          return bans.filter((b) => b.target !== target);
        });
        return had;
      },
      async bans(now) {
        return file.read().filter((b) => b.until > now);
      },
      async close() {},
    };
  }
  const state = new RedisState(config.state, { banPollMs: 3_600_000 });
  try {
    await state.ready(3000);
  } catch {
    await state.close();
    throw new BanCommandError(`cannot reach redis at ${redactSecret(config.state)}`);
  }
  return { where: `redis ${redactSecret(config.state)}`, ban: (b) => state.ban(b), unban: (t) => state.unban(t), bans: (n) => state.bans(n), close: () => state.close() };
}

function target(text: string): string {
  try {
    return canonicalCidr(text);
  } catch {
    throw new BanCommandError(`not an address or CIDR range: ${text}`);
  }
}

/** `--for forever`: a ban without expiry, until rdds unban. */
const FOREVER_WORD = 'forever';

export async function banCommand(config: Config, address: string, opts: { for?: string; reason?: string }): Promise<string> {
  const t = target(address);
  let ms = Infinity;
  if (opts.for !== FOREVER_WORD) {
    try {
      ms = parseDuration(opts.for ?? config.policy.rate_limit.ban_duration);
    } catch (err) {
      throw new BanCommandError(`--for: ${(err as Error).message} (or "${FOREVER_WORD}")`);
    }
    if (ms <= 0) throw new BanCommandError('--for must be longer than 0');
  }
  const now = Date.now();
  const store = await openBans(config);
  try {
    const ban: Ban = { target: t, until: ms === Infinity ? FOREVER : now + ms, reason: opts.reason ?? 'banned by the operator', created: now, source: 'operator' };
    await store.ban(ban);
    const how = isPermanent(ban) ? 'permanently (until rdds unban)' : `until ${new Date(ban.until).toISOString()} (${formatDuration(ms)})`;
    const done = `banned ${t} ${how} in ${store.where}`;
    const allowed = allowlisted(config, t);
    return allowed ? `${done}\nnote: ${t} overlaps policy.allowlist (${allowed}): allowlisted addresses are never banned, so the ban has no effect on them` : done;
  } finally {
    await store.close();
  }
}

/** The allowlist entries a ban target overlaps (joined), or undefined. */
function allowlisted(config: Config, target: string): string | undefined {
  const t = parseCidr(target);
  const hits = config.policy.allowlist.filter((entry) => {
    const a = parseCidr(entry);
    return a.family === t.family && a.first <= t.last && t.first <= a.last;
  });
  return hits.length > 0 ? hits.join(', ') : undefined;
}

export async function unbanCommand(config: Config, address: string): Promise<string> {
  const t = target(address);
  // A single address also lifts the automatic ban on its client key (an IPv6 address's /64).
  const cidr = parseCidr(address);
  const single = cidr.prefix === (cidr.family === 4 ? 32 : 128);
  const targets = [...new Set([t, ...(single ? [clientKey(address.split('/')[0], config.policy.rate_limit.ipv6_prefix)] : [])])];
  const store = await openBans(config);
  try {
    const lifted: string[] = [];
    for (const x of targets) if (await store.unban(x)) lifted.push(x);
    if (lifted.length === 0) throw new BanCommandError(`${t} is not banned (see rdds bans)`);
    return `lifted the ban on ${lifted.join(', ')} in ${store.where}`;
  } finally {
    await store.close();
  }
}

export async function listBansCommand(config: Config): Promise<string> {
  const now = Date.now();
  const store = await openBans(config);
  try {
    const bans = (await store.bans(now)).sort((a, b) => a.until - b.until);
    if (bans.length === 0) return `no bans in force (${store.where})`;
    const rows = bans.map((b) => [b.target, isPermanent(b) ? 'until rdds unban' : new Date(b.until).toISOString(), isPermanent(b) ? 'permanent' : formatDuration(b.until - now), b.source, b.reason]);
    const head = ['TARGET', 'UNTIL', 'LEFT', 'BY', 'REASON'];
    const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    return [head, ...rows].map((r) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(width[i]) : c)).join('  ')).join('\n');
  } finally {
    await store.close();
  }
}
