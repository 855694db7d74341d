// The web lookups' self-hosted proof-of-work captcha (ALTCHA, altcha-lib on the server, the altcha
// widget served from node_modules by the web door). No third-party service is involved: challenges
// are created (for the web door's challenge route) and verified (by the authorization stage) here. A challenge is HMAC-signed, expires after `expires_s`, and is accepted once:
// its nonce is remembered until it expires. Public-tier clients get `free_lookups` web lookups
// per client key (IPv4 address, IPv6 /64) and UTC day before a solved challenge is required.
import { randomBytes } from 'node:crypto';
import { createChallenge, randomInt, verifySolution, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { Config } from '../config.js';

export type CaptchaOptions = Config['web']['captcha'];

/** Most client keys whose daily counts are kept; beyond it the oldest are forgotten (they start again at 0). */
const MAX_CLIENTS = 200_000;
const MAX_USED = 500_000;
export const CAPTCHA_ALGORITHM = 'SHA-256';

export type CaptchaCheck = 'free' | 'solved' | 'missing' | 'invalid' | 'expired' | 'reused';

export class Captcha {
  private readonly secret: string;
  /** Nonce -> expiry (ms) of challenges already used. */
  private readonly used = new Map<string, number>();
  /** Client key -> lookups today. */
  private readonly counts = new Map<string, { day: string; n: number }>();

  constructor(
    readonly options: CaptchaOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.secret = options.secret || randomBytes(32).toString('hex');
  }

  /** A fresh signed challenge for the widget (JSON). */
  async challenge(): Promise<Challenge> {
    return createChallenge({
      algorithm: CAPTCHA_ALGORITHM,
      cost: this.options.cost,
      // Deterministic mode: the server knows the counter, so a solver needs about max_number/2 attempts.
      counter: randomInt(this.options.max_number),
      deriveKey,
      hmacSignatureSecret: this.secret,
      hmacKeySignatureSecret: this.secret + ':key',
      expiresAt: new Date(this.now() + this.options.expires_s * 1000),
    });
  }

  /**
   * Decides whether this public-tier lookup may go ahead: free while the client has lookups left
   * today, else only with a valid, unexpired, unused solution (`payload` is the widget's base64 JSON).
   * A free lookup is counted; a solved one uses up its challenge.
   */
  async admit(clientKey: string, payload: string | undefined): Promise<CaptchaCheck> {
    if (!this.options.enabled) return 'free';
    const day = new Date(this.now()).toISOString().slice(0, 10);
    let count = this.counts.get(clientKey);
    if (!count || count.day !== day) {
      if (this.counts.size >= MAX_CLIENTS) this.counts.delete(this.counts.keys().next().value!);
      count = { day, n: 0 };
      this.counts.set(clientKey, count);
    }
    if (count.n < this.options.free_lookups) {
      count.n++;
      return 'free';
    }
    if (!payload) return 'missing';
    return this.verify(payload);
  }

  /** Verifies a solution and marks its challenge used. */
  async verify(payload: string): Promise<CaptchaCheck> {
    let parsed: { challenge?: Challenge; solution?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
    } catch {
      return 'invalid';
    }
    const { challenge, solution } = parsed;
    if (!challenge || typeof challenge !== 'object' || !challenge.parameters || !solution || typeof solution !== 'object') return 'invalid';
    if (challenge.parameters.algorithm !== CAPTCHA_ALGORITHM) return 'invalid';
    const expiresAt = challenge.parameters.expiresAt;
    if (typeof expiresAt !== 'number' || expiresAt * 1000 <= this.now()) return expiresAt === undefined ? 'invalid' : 'expired';
    let result;
    try {
      result = await verifySolution({
        challenge,
        solution: solution as Parameters<typeof verifySolution>[0]['solution'],
        deriveKey,
        hmacSignatureSecret: this.secret,
        hmacKeySignatureSecret: this.secret + ':key',
      });
    } catch {
      return 'invalid';
    }
    if (result.expired) return 'expired';
    if (!result.verified) return 'invalid';
    const now = this.now();
    this.forgetExpired(now);
    const nonce = challenge.parameters.nonce;
    if (this.used.has(nonce)) return 'reused';
    if (this.used.size >= MAX_USED) this.used.delete(this.used.keys().next().value!);
    this.used.set(nonce, (challenge.parameters.expiresAt ?? now / 1000 + this.options.expires_s) * 1000);
    return 'solved';
  }

  private forgetExpired(now: number): void {
    // Insertion order is roughly expiry order: drop from the front while expired.
    for (const [nonce, expires] of this.used) {
      if (expires > now) break;
      this.used.delete(nonce);
    }
  }
}
