// Access -> view -> budget, in one place for every lookup that shows contact data: the policy says
// what this client may see (its tier, or less once a quota or budget is spent), the view applies
// it, and the unredacted personal records the view shows are charged to the client's budget.
import type { ClientIdentity, Policy } from '../policy/policy.js';
import type { Access } from '../policy/view.js';
import type { Store } from '../store/store.js';
import type { DirectoryScope } from './scope.js';

/** What a lookup needs besides its query. */
export interface LookupContext {
  store: Store;
  policy: Pick<Policy, 'access' | 'charge' | 'limitsFor'>;
  client: ClientIdentity;
  /** Keep the (redacted) Admin block in domain answers (whois.admin_block). */
  adminBlock: boolean;
  /** Which objects this directory answers for (registrar mode, thin registry). */
  scope: DirectoryScope;
}

export async function viewed<V extends { personalRecords: number }>(ctx: LookupContext, build: (access: Access) => V | Promise<V>): Promise<{ view: V; notice?: string }> {
  const decision = await ctx.policy.access(ctx.client);
  const view = await build(decision.access);
  if (view.personalRecords > 0) await ctx.policy.charge(ctx.client, view.personalRecords);
  return { view, notice: decision.notice };
}
