// The inventory's output shape: one row per cloud certificate, joined across SCM and the gateways.
// Never carries key material: only names, ids, domains, serials and dates.

export type Source = 'scm' | 'apigw' | 'apic';
export type Flag = 'expiring' | 'expired' | 'unbound' | 'leftover';

export interface DomainRef {
  /** The gateway's label (its name, else its instance id). */
  gateway: string;
  domain: string;
}

export interface InventoryRow {
  name: string;
  source: Source;
  /** Gateway label for instance certificates, `global` for global ones, empty for SCM's own. */
  gateway: string;
  id: string;
  /** The SCM id when SCM lists the same certificate (same name and expiry). */
  scmId?: string;
  domains: DomainRef[];
  serial?: string;
  notAfter?: string;
  daysLeft?: number;
  /** `namespace/name` of the GatewayDomainCertificate that owns it. */
  managedBy?: string;
  /** Carries our ownership mark (the default name scheme). */
  ours: boolean;
  flags: Flag[];
}

export interface InventoryError {
  /** `scm` or a gateway label. */
  source: string;
  message: string;
}

export interface InventoryReport {
  generatedAt: string;
  warnDays: number;
  /** Whether owners were read from a cluster (without one, managedBy and `leftover` are unknown). */
  cluster: boolean;
  certificates: InventoryRow[];
  errors: InventoryError[];
}

const DAY_MS = 86_400_000;

/** The flags a row's dates and bindings earn; `leftover` needs the cluster's resources. */
export function flagsFor(
  row: Pick<InventoryRow, 'source' | 'domains' | 'ours' | 'managedBy' | 'notAfter'>,
  now: Date,
  warnDays: number,
  cluster: boolean,
): Flag[] {
  const flags: Flag[] = [];
  const end = Date.parse(row.notAfter ?? '');
  if (Number.isFinite(end)) {
    if (end <= now.getTime()) flags.push('expired');
    else if (end - now.getTime() <= warnDays * DAY_MS) flags.push('expiring');
  }
  // SCM does not say where its own certificates are deployed, so "bound to nothing" is a gateway fact.
  if (row.source !== 'scm' && row.domains.length === 0) flags.push('unbound');
  if (cluster && row.ours && !row.managedBy) flags.push('leftover');
  return flags;
}

/** Whole days until notAfter, negative once expired (floor, so "0" means less than a day left). */
export function daysLeft(notAfter: string | undefined, now: Date): number | undefined {
  const end = Date.parse(notAfter ?? '');
  return Number.isFinite(end) ? Math.floor((end - now.getTime()) / DAY_MS) : undefined;
}
