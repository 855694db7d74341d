// The authorization stage of the pipeline: after admission and parsing, whether this client may
// run this query. Searches are for the tiers the configuration names (per door); a public client
// allowed to search may not search by personal data; public web lookups past the free ones need a
// solved captcha. A refusal names its reason; each door renders it in its own form.
import type { Config } from '../config.js';
import type { SearchExpr } from '../model/search.js';
import type { Captcha } from './captcha.js';
import { CONTACT_FIELDS } from './fields.js';
import type { Authorization, AuthorizationRequest, ClientIdentity } from './policy.js';
import type { Tier } from './view.js';

export const ALLOWED: Authorization = Object.freeze({ allowed: true });

/** Search fields that read a contact field holding personal data (fields.ts says which). */
const PERSONAL_SEARCH_FIELDS = new Set(CONTACT_FIELDS.filter((f) => f.personal).map((f) => f.id as string));

export class Authorizer {
  private readonly webSearchTiers: readonly Tier[];
  private readonly rdapSearchTiers: readonly Tier[];

  private readonly captcha?: Captcha;

  /** `captcha`: the web lookups' captcha, when configured and enabled. */
  constructor(config: Config, captcha?: Captcha) {
    this.captcha = captcha?.options.enabled ? captcha : undefined;
    this.webSearchTiers = config.web.search_tiers;
    this.rdapSearchTiers = config.rdap.search_tiers;
  }

  /** Decides at once, except for a captcha solution to verify (a promise then). `proof`: the solution a web lookup carries. */
  authorize(client: ClientIdentity, request: AuthorizationRequest, proof?: string): Authorization | Promise<Authorization> {
    const door = client.remote.door;
    const kind = request.query?.kind ?? request.kind;
    if (door === 'search' || kind === 'search') {
      if (!this.webSearchTiers.includes(client.tier)) return { allowed: false, reason: 'search-not-allowed' };
      if (client.tier === 'public' && request.query?.kind === 'search') {
        const field = usedFields(request.query.expr).find((f) => PERSONAL_SEARCH_FIELDS.has(f));
        if (field) return { allowed: false, reason: 'personal-search', detail: field };
      }
      return ALLOWED;
    }
    if (kind === 'rdap-search') return this.rdapSearchTiers.includes(client.tier) ? ALLOWED : { allowed: false, reason: 'search-not-allowed' };
    if (door === 'web' && client.tier === 'public' && this.captcha) return this.captchaCheck(client.key, proof);
    return ALLOWED;
  }

  private async captchaCheck(clientKey: string, proof: string | undefined): Promise<Authorization> {
    const check = await this.captcha!.admit(clientKey, proof);
    if (check === 'free' || check === 'solved') return ALLOWED;
    return { allowed: false, reason: check === 'missing' ? 'captcha-required' : 'captcha-failed' };
  }
}

function usedFields(expr: SearchExpr): string[] {
  switch (expr.op) {
    case 'term':
      return [expr.field];
    case 'not':
      return usedFields(expr.arg);
    default:
      return expr.args.flatMap(usedFields);
  }
}
