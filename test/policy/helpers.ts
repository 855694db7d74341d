// Shared pieces of the policy tests: a controllable clock, configurations, and the two state
// backends (the Redis one only when a Redis answers at 127.0.0.1:6379).
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config, type Overrides } from '../../src/config.js';
import { RedisState } from '../../src/policy/redis-state.js';
import { MemoryState, type PolicyState } from '../../src/policy/state.js';

export const REDIS_URL = process.env.RDDS_TEST_REDIS ?? 'redis://127.0.0.1:6379';

export class FakeClock {
  constructor(public t = Date.UTC(2030, 0, 1, 0, 0, 0)) {}
  now = () => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export function policyConfig(settings: Overrides = {}): Config {
  return loadConfig(undefined, { db: '/nonexistent/rdds.sqlite', ...settings }, {});
}

let redisUp: Promise<boolean> | undefined;

/** Whether a Redis answers (asked once per test file). */
export function redisAvailable(): Promise<boolean> {
  redisUp ??= (async () => {
    const probe = new RedisState(REDIS_URL, { prefix: 'rdds-test-probe:' });
    try {
      await probe.ready(1500);
      return true;
    } catch {
      return false;
    } finally {
      await probe.close();
    }
  })();
  return redisUp;
}

export const REDIS_SKIP = `Redis is not reachable at ${REDIS_URL} (start redis-server or set RDDS_TEST_REDIS)`;

export interface Backend {
  name: 'memory' | 'redis';
  make(clock: FakeClock): Promise<PolicyState>;
}

export const BACKENDS: Backend[] = [
  { name: 'memory', make: async (clock) => new MemoryState({ clock: clock.now }) },
  {
    name: 'redis',
    make: async (clock) => {
      // A fresh key prefix per state: runs never see each other's counters or bans.
      const prefix = `rdds-test-${randomBytes(6).toString('hex')}:`;
      const state = new RedisState(REDIS_URL, { clock: clock.now, prefix });
      await state.ready(1500);
      const close = state.close.bind(state);
      state.close = async () => {
        const keys = await state.redis.keys(`${prefix}*`);
        if (keys.length) await state.redis.del(...keys);
        await close();
      };
      return state;
    },
  },
];
