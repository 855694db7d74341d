// EPP statuses (RFC 5731 for domains, RFC 5732 for hosts, RFC 3915 for the grace periods) with
// their RDAP names (RFC 8056). One table: port 43 prints the EPP name, RDAP the mapped one.

export const EPP_TO_RDAP_STATUS: Readonly<Record<string, string>> = {
  ok: 'active',
  inactive: 'inactive',
  linked: 'associated',
  addPeriod: 'add period',
  autoRenewPeriod: 'auto renew period',
  renewPeriod: 'renew period',
  transferPeriod: 'transfer period',
  redemptionPeriod: 'redemption period',
  pendingCreate: 'pending create',
  pendingDelete: 'pending delete',
  pendingRenew: 'pending renew',
  pendingRestore: 'pending restore',
  pendingTransfer: 'pending transfer',
  pendingUpdate: 'pending update',
  clientDeleteProhibited: 'client delete prohibited',
  clientRenewProhibited: 'client renew prohibited',
  clientTransferProhibited: 'client transfer prohibited',
  clientUpdateProhibited: 'client update prohibited',
  serverDeleteProhibited: 'server delete prohibited',
  serverRenewProhibited: 'server renew prohibited',
  serverTransferProhibited: 'server transfer prohibited',
  serverUpdateProhibited: 'server update prohibited',
  clientHold: 'client hold',
  serverHold: 'server hold',
};

export const EPP_STATUSES = Object.keys(EPP_TO_RDAP_STATUS);

/** Statuses a host may carry (RFC 5732). */
export const HOST_STATUSES = [
  'ok', 'linked', 'pendingCreate', 'pendingDelete', 'pendingTransfer', 'pendingUpdate',
  'clientDeleteProhibited', 'clientUpdateProhibited', 'serverDeleteProhibited', 'serverUpdateProhibited',
];

/** Statuses a contact may carry (RFC 5733). */
export const CONTACT_STATUSES = [
  'ok', 'linked', 'pendingCreate', 'pendingDelete', 'pendingTransfer', 'pendingUpdate',
  'clientDeleteProhibited', 'clientTransferProhibited', 'clientUpdateProhibited',
  'serverDeleteProhibited', 'serverTransferProhibited', 'serverUpdateProhibited',
];

export const STATUS_URL_BASE = 'https://icann.org/epp';

export function statusUrl(status: string): string {
  return `${STATUS_URL_BASE}#${status}`;
}
