// Lists every certificate SCM and the given gateways hold, and joins them: which domains each one
// serves (from the gateways' group listings), its serial (ShowCertificate), which resource owns it,
// and its flags. Every listing is paged; every call goes through the client's per-account limiter.
import type { GatewayDomainCertificate } from '../api/v1alpha1.ts';
import type { CertBase, GatewayClient, ScmCertificateDetail } from '../gateway/index.ts';
import { byCodeUnit } from '../order.ts';
import { isOurCertificateName, ownerOf } from '../reconciler/naming.ts';
import { type DomainRef, daysLeft, flagsFor, type InventoryReport, type InventoryRow } from './report.ts';

export interface InventoryTarget {
  /** Shown in output and metrics: the gateway's name if given, else its instance id. */
  label: string;
  instanceId: string;
  client: GatewayClient;
}

export interface CollectOptions {
  gateways: InventoryTarget[];
  /** The client SCM is listed with (SCM is account-wide: once), or undefined to leave SCM out. */
  scm?: GatewayClient;
  /** The cluster's resources; undefined when no cluster was read (owners unknown). */
  resources?: readonly GatewayDomainCertificate[];
  warnDays: number;
  now?: Date;
  /** Page size of the gateway listings (SCM's is clamped to 10..50). Default 200 / 50. */
  pageSize?: number;
  /** Read each gateway certificate once more for its serial (list items carry none). Default true. */
  serials?: boolean;
}

export async function collectInventory(opts: CollectOptions): Promise<InventoryReport> {
  const now = opts.now ?? new Date();
  const cluster = opts.resources !== undefined;
  const errors: InventoryReport['errors'] = [];
  const note = (source: string, err: unknown): undefined => {
    errors.push({ source, message: (err as Error).message });
  };
  const limit = opts.pageSize;
  const rows = new Map<string, InventoryRow>();
  const bindings = new Map<string, DomainRef[]>();

  for (const gw of opts.gateways) {
    try {
      for (const d of await gw.client.listDomains(gw.instanceId, limit ? { limit } : {})) {
        for (const certId of boundIds(d.domain)) {
          const list = bindings.get(certId) ?? [];
          list.push({ gateway: gw.label, domain: d.domain.domain });
          bindings.set(certId, list);
        }
      }
      const certs = await gw.client.listAllCertificates({
        instance_id: gw.instanceId,
        ...(limit ? { limit } : {}),
      });
      for (const c of certs) {
        if (rows.has(c.id)) continue; // a global certificate, already seen through another gateway
        const row = gatewayRow(c, gw);
        if (opts.serials !== false) {
          const detail = await gw.client.getCertificate(c.id).catch((err) => note(gw.label, err));
          if (detail?.serial_number) row.serial = detail.serial_number;
        }
        rows.set(c.id, row);
      }
    } catch (err) {
      note(gw.label, err);
    }
  }
  for (const [id, row] of rows) row.domains = bindings.get(id) ?? [];

  const out = [...rows.values()];
  if (opts.scm) {
    try {
      const scmPage = limit ? { limit: Math.min(50, Math.max(10, limit)) } : {};
      out.push(...joinScm(await opts.scm.listAllScmCertificates(scmPage), out));
    } catch (err) {
      note('scm', err);
    }
  }
  for (const row of out) {
    if (opts.resources) {
      const owner = row.source === 'scm' ? undefined : ownerOf(row, opts.resources);
      if (owner) row.managedBy = `${owner.metadata.namespace}/${owner.metadata.name}`;
    }
    const left = daysLeft(row.notAfter, now);
    if (left !== undefined) row.daysLeft = left;
    row.flags = flagsFor(row, now, opts.warnDays, cluster);
  }
  out.sort((a, b) => byCodeUnit(a.notAfter ?? '', b.notAfter ?? '') || byCodeUnit(a.name, b.name));
  return { generatedAt: now.toISOString(), warnDays: opts.warnDays, cluster, certificates: out, errors };
}

/** The certificate ids a domain serves (ssl_infos lists RSA and SM2 ones; ssl_id is the older field). */
function boundIds(d: { ssl_id?: string; ssl_infos?: { ssl_id?: string }[] }): string[] {
  const ids = new Set<string>();
  if (d.ssl_id) ids.add(d.ssl_id);
  for (const s of d.ssl_infos ?? []) if (s.ssl_id) ids.add(s.ssl_id);
  return [...ids];
}

function gatewayRow(c: CertBase, gw: InventoryTarget): InventoryRow {
  const global = c.type === 'global' || c.instance_id === 'common';
  const row: InventoryRow = {
    name: c.name,
    source: gw.client.family,
    gateway: global ? 'global' : gw.label,
    id: c.id,
    domains: [],
    ours: isOurCertificateName(c.name),
    flags: [],
  };
  if (c.not_after) row.notAfter = c.not_after;
  return row;
}

/** `2021-05-27 16:46:25.0` (page 002; no zone given, read as UTC) → RFC 3339 to the second. */
export function scmExpiry(expire: string | undefined): string | undefined {
  if (!expire) return undefined;
  const t = Date.parse(
    `${expire
      .trim()
      .replace(' ', 'T')
      .replace(/\.\d+$/, '')}Z`,
  );
  return Number.isFinite(t) ? new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
}

/**
 * SCM entries that are a gateway certificate seen from SCM (same name, same expiry) add their SCM id
 * to that row; the rest are SCM's own certificates and become rows of their own.
 */
function joinScm(scm: ScmCertificateDetail[], gatewayRows: InventoryRow[]): InventoryRow[] {
  const byKey = new Map(gatewayRows.map((r) => [`${r.name}\u0000${r.notAfter}`, r]));
  const own: InventoryRow[] = [];
  for (const s of scm) {
    const notAfter = scmExpiry(s.expire_time);
    const match = byKey.get(`${s.name ?? ''}\u0000${notAfter}`);
    if (match && match.scmId === undefined) {
      match.scmId = s.id;
      continue;
    }
    const row: InventoryRow = {
      name: s.name ?? s.id,
      source: 'scm',
      gateway: '',
      id: s.id,
      domains: [],
      ours: false,
      flags: [],
    };
    if (notAfter) row.notAfter = notAfter;
    own.push(row);
  }
  return own;
}
