// Shared state for many nodes in one Redis (`state: redis://...`). One query costs one round trip:
// a Lua script checks the key's ban, counts the query in its window and escalates to a ban. Bans
// live twice: `rdds:ban:KEY` (checked by the script, so a ban made by one node holds on every
// node at once) and the hash `rdds:bans` (target -> Ban JSON) that `rdds bans` lists and that
// each node copies into a local BanTable every second for CIDR bans.
//
// When Redis cannot be reached, nothing waits for it: commands fail at once (no offline queue) or
// after a short timeout, the node logs that once and counts with its own MemoryState until Redis
// answers again (ioredis keeps reconnecting in the background), then logs that too.
import { Redis } from 'ioredis';
import { redactSecret } from '../observe/log.js';
import { BanTable, FOREVER, formatWindow, isPermanent, MemoryState, type Ban, type HitRequest, type HitResult, type PolicyState } from './state.js';

const DEFAULT_PREFIX = 'rdds:';

// KEYS: counter, strikes, ban, bans hash, ban history. ARGV: limit, windowMs(ttl), banAfter,
// banWindowMs, banMs, now, reason, ban key prefix, permanentAfter, permanentWindowMs, FOREVER, the
// permanent reason's suffix.
const HIT_SCRIPT = `
local now = tonumber(ARGV[6])
local ban = redis.call('GET', KEYS[3])
if ban then
  local b = cjson.decode(ban)
  if tonumber(b['until']) > now then return {-1, tonumber(b['until']) - now, ban} end
end
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
local limit = tonumber(ARGV[1])
local banAfter = tonumber(ARGV[3])
if n == limit + 1 and banAfter > 0 then
  local window = tonumber(ARGV[4])
  redis.call('ZADD', KEYS[2], now, now .. ':' .. math.random())
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
  redis.call('PEXPIRE', KEYS[2], window)
  local strikes = redis.call('ZCARD', KEYS[2])
  if strikes >= banAfter then
    local banMs = tonumber(ARGV[5])
    local target = string.sub(KEYS[3], string.len(ARGV[8]) + 1)
    local untilMs = now + banMs
    local reason = string.format(ARGV[7], strikes)
    local permanentAfter = tonumber(ARGV[9])
    if permanentAfter > 0 then
      local permanentWindow = tonumber(ARGV[10])
      redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - permanentWindow)
      local previous = redis.call('ZCARD', KEYS[5])
      redis.call('ZADD', KEYS[5], now, now .. ':' .. math.random())
      redis.call('PEXPIRE', KEYS[5], permanentWindow)
      if previous >= permanentAfter then
        untilMs = tonumber(ARGV[11])
        reason = reason .. string.format(ARGV[12], previous)
      end
    end
    local json = cjson.encode({target = target, ['until'] = untilMs, reason = reason, created = now, source = 'auto'})
    if untilMs >= tonumber(ARGV[11]) then redis.call('SET', KEYS[3], json) else redis.call('SET', KEYS[3], json, 'PX', banMs + 86400000) end
    redis.call('HSET', KEYS[4], target, json)
    redis.call('DEL', KEYS[2])
    return {-2, banMs, json}
  end
end
return {n, 0, ''}
`;

export interface RedisStateOptions {
  clock?: () => number;
  /** Milliseconds a command may take before the node counts locally instead. */
  commandTimeoutMs?: number;
  /** How often the ban list is copied from Redis. */
  banPollMs?: number;
  /** Prefix of every key (several registries, or tests, in one Redis). */
  prefix?: string;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

type HitReply = [number, number, string];

export class RedisState implements PolicyState {
  readonly kind = 'redis' as const;
  readonly redis: Redis;
  /** Counters, strikes and bans made while Redis was away. */
  readonly local: MemoryState;
  private readonly table = new BanTable();
  private readonly clock: () => number;
  private degraded = false;
  private poller?: NodeJS.Timeout;
  private closed = false;
  private readonly prefix: string;
  private readonly bansKey: string;
  /** Told about every outage and recovery (the operator's metrics); the log line is written either way. */
  onDown?: (err: Error) => void;
  onUp?: () => void;

  constructor(url: string, private readonly options: RedisStateOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.bansKey = `${this.prefix}bans`;
    this.local = new MemoryState({ clock: this.clock });
    this.redis = new Redis(url, {
      enableOfflineQueue: false,
      commandTimeout: options.commandTimeoutMs ?? 250,
      connectTimeout: 1000,
      maxRetriesPerRequest: 0,
      lazyConnect: false,
      retryStrategy: (times) => Math.min(100 * times, 2000),
    });
    this.redis.defineCommand('rddsHit', { numberOfKeys: 5, lua: HIT_SCRIPT });
    this.redis.on('error', (err: Error) => this.down(err));
    this.redis.on('ready', () => {
      if (this.degraded) {
        this.degraded = false;
        if (this.onUp) this.onUp();
        else this.options.log?.('info', `redis at ${redactSecret(url)} is reachable again; rate limits and bans are shared again`);
      }
      void this.pollBans();
    });
    this.poller = setInterval(() => void this.pollBans(), options.banPollMs ?? 1000);
    this.poller.unref();
  }

  /** True while the node counts locally because Redis is unreachable. */
  get isDegraded(): boolean {
    return this.degraded || this.redis.status !== 'ready';
  }

  /** Resolves once connected (for tools and tests); rejects after timeoutMs. */
  async ready(timeoutMs = 2000): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.redis.off('ready', onReady);
        reject(new Error('redis is not reachable'));
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      this.redis.once('ready', onReady);
    });
  }

  private down(err: Error): void {
    if (this.closed) return;
    if (!this.degraded) {
      this.degraded = true;
      if (this.onDown) this.onDown(err);
      else this.options.log?.('warn', `redis unreachable or failing (${err.message}); counting rate limits on this node only until it returns`);
    }
  }

  private usable(): boolean {
    return !this.closed && this.redis.status === 'ready';
  }

  async hit(req: HitRequest): Promise<HitResult> {
    if (!this.usable()) return this.local.hit(req);
    const window = Math.floor(req.now / req.windowMs);
    const resetInMs = (window + 1) * req.windowMs - req.now;
    const key = req.key;
    try {
      const [n, ms, json] = (await (this.redis as any).rddsHit(
        `${this.prefix}rl:${key}:${window}`,
        `${this.prefix}st:${key}`,
        `${this.prefix}ban:${key}`,
        this.bansKey,
        `${this.prefix}bh:${key}`,
        req.limit,
        resetInMs + 1000,
        req.banAfter,
        req.banWindowMs,
        req.banMs,
        req.now,
        `over the rate limit %d times within ${Math.round(req.banWindowMs / 60000)} minutes`,
        `${this.prefix}ban:`,
        req.permanentAfter ?? 0,
        req.permanentWindowMs ?? 0,
        FOREVER,
        `; made permanent: %d automatic bans before it within ${formatWindow(req.permanentWindowMs ?? 0)}`,
      )) as HitReply;
      if (n < 0) {
        const ban = JSON.parse(json) as Ban;
        if (n === -2) this.table.set(ban);
        return { count: 0, resetInMs: ms, ban, fresh: n === -2 };
      }
      return { count: n, resetInMs };
    } catch (err) {
      this.down(err as Error);
      return this.local.hit(req);
    }
  }

  async add(counter: string, n: number, ttlMs: number): Promise<number> {
    if (!this.usable()) return this.local.addSync(counter, n, ttlMs);
    try {
      const [[, total]] = (await this.redis.multi().incrby(this.prefix + counter, n).pexpire(this.prefix + counter, ttlMs, 'NX').exec()) as [[unknown, number]];
      return total;
    } catch (err) {
      this.down(err as Error);
      return this.local.addSync(counter, n, ttlMs);
    }
  }

  async get(counter: string): Promise<number> {
    if (!this.usable()) return this.local.get(counter);
    try {
      return Number((await this.redis.get(this.prefix + counter)) ?? 0);
    } catch (err) {
      this.down(err as Error);
      return this.local.get(counter);
    }
  }

  matchBan(key: string, address: string, now: number): Ban | undefined {
    return this.table.match(key, address, now) ?? this.local.matchBan(key, address, now);
  }

  /** Copies the ban list from Redis (also drops bans that have lifted). */
  async pollBans(): Promise<void> {
    if (!this.usable()) return;
    try {
      const all = await this.redis.hgetall(this.bansKey);
      const now = this.clock();
      const bans: Ban[] = [];
      for (const [target, json] of Object.entries(all)) {
        try {
          const b = JSON.parse(json) as Ban;
          if (b.until > now) bans.push(b);
          else void this.redis.hdel(this.bansKey, target).catch(() => {});
        } catch {}
      }
      this.table.replace(bans);
    } catch (err) {
      this.down(err as Error);
    }
  }

  /** Writes a ban to Redis (throws when Redis cannot be reached: an operator wants to know). */
  async ban(ban: Ban): Promise<void> {
    const json = JSON.stringify(ban);
    const key = `${this.prefix}ban:${ban.target}`;
    const multi = this.redis.multi().hset(this.bansKey, ban.target, json);
    (isPermanent(ban) ? multi.set(key, json) : multi.set(key, json, 'PX', Math.max(1, ban.until - this.clock()) + 86_400_000));
    await multi.exec();
    this.table.set(ban);
  }

  async unban(target: string): Promise<boolean> {
    const replies = (await this.redis.multi().hdel(this.bansKey, target).del(`${this.prefix}ban:${target}`, `${this.prefix}st:${target}`).exec()) as [unknown, number][];
    this.table.delete(target);
    const local = await this.local.unban(target);
    return replies.some(([, n]) => n > 0) || local;
  }

  async bans(now: number): Promise<Ban[]> {
    const all = await this.redis.hgetall(this.bansKey);
    return Object.values(all)
      .map((json) => JSON.parse(json) as Ban)
      .filter((b) => b.until > now);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poller);
    await this.local.close();
    this.redis.disconnect();
  }
}
