// What the pipeline decided about one query: the result every renderer turns into its door's
// answer. Renderers read this and nothing else of the pipeline.
import type { DataVersion, Referral } from './model/records.js';
import type { Admission, Authorization, ClientIdentity, ClientLimits } from './policy/policy.js';
import type { ResultsView, SearchView, View } from './policy/view.js';
import type { Query } from './query/query.js';

/** How a query ended, as the query log, the metrics and the reports count it. */
export const OUTCOMES = ['answered', 'not-found', 'refused', 'forbidden', 'bad-query', 'unavailable', 'error'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export type Refusal = Extract<Admission, { admitted: false }>;
export type Forbidden = Extract<Authorization, { allowed: false }>;

export interface Resolution {
  outcome: Outcome;
  client: ClientIdentity;
  query?: Query;
  view?: View;
  /** The answer to a searchable-WHOIS query (kind 'search'). */
  search?: SearchView;
  /** The answer to an RDAP search (kind 'rdap-search'): each result viewed like its lookup. */
  results?: ResultsView;
  /** Outcome 'refused': admission said no (rate limit, ban, blocklist). */
  refusal?: Refusal;
  /** Outcome 'forbidden': authorization said no to this query for this client. */
  forbidden?: Forbidden;
  /** Why a query was bad, or that the data could not be had ('unavailable') or an internal error happened ('error'); never internal details. */
  error?: string;
  /** A well-formed request for something this server does not serve (outcome 'bad-query'). */
  unsupported?: boolean;
  /** Tells the client its access was reduced (quota or budget spent). */
  notice?: string;
  /** Outcome 'not-found' of a registrar's directory: the registry that answers for the name. */
  referral?: Referral;
  /** help: the limits in force for this client. */
  limits?: ClientLimits;
  data: DataVersion;
}
