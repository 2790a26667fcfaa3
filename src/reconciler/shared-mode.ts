// Mode Shared: one global certificate, created once and then updated in place on renewal (every
// domain bound to it serves the new content at once), attached to spec.domains on their gateways.
import type { CertificateStatus, DomainStatus } from '../api/v1alpha1.ts';
import type { BoundDomain, CertificateDetail } from '../gateway/index.ts';
import { isNotFound } from './failures.ts';
import {
  findOwnCertificate,
  type Observation,
  type PushResult,
  type SyncContext,
  sameSerial,
  verificationFailure,
} from './sync-context.ts';

/**
 * Global certificates are listed with `type=global` on any gateway (instance_id is mandatory and
 * names a gateway; `common` is only what a global certificate shows as its instance_id).
 */
function globalListing(ctx: SyncContext): { instance_id: string; type: 'global' } | undefined {
  const first = wanted(ctx)[0];
  return first ? { instance_id: first.instanceId, type: 'global' } : undefined;
}

interface Want {
  name: string;
  instanceId: string;
}

function wanted(ctx: SyncContext): Want[] {
  return (ctx.gdc.spec.domains ?? []).flatMap((d) =>
    d.instanceIds.map((instanceId) => ({ name: d.name, instanceId })),
  );
}

const sameDomain = (b: BoundDomain, w: Want) =>
  b.url_domain?.toLowerCase() === w.name.toLowerCase() && b.instance_id === w.instanceId;

function toDomainStatus(b: BoundDomain): DomainStatus {
  return {
    ...(b.id ? { id: b.id } : {}),
    ...(b.url_domain ? { name: b.url_domain } : {}),
    ...(b.instance_id ? { instanceId: b.instance_id } : {}),
    ...(b.api_group_id ? { groupId: b.api_group_id } : {}),
    ...(b.status !== undefined ? { cnameStatus: b.status } : {}),
    ...(b.min_ssl_version ? { minSslVersion: b.min_ssl_version } : {}),
  };
}

export async function observeShared(ctx: SyncContext, certificateId: string): Promise<Observation> {
  let bound: BoundDomain[];
  try {
    bound = await ctx.client.listAllAttachedDomains(certificateId);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    return { serving: false, detail: `certificate ${certificateId} no longer exists`, domains: [] };
  }
  const want = wanted(ctx);
  const mine = bound.filter((b) => want.some((w) => sameDomain(b, w)));
  const domains = mine.map(toDomainStatus);
  const missing = want.filter((w) => !bound.some((b) => sameDomain(b, w)));
  if (missing.length > 0) {
    const list = missing.map((m) => `${m.name}@${m.instanceId}`).join(', ');
    return { serving: false, detail: `not attached to ${list}`, domains };
  }
  let certificate: CertificateDetail | undefined;
  for (const b of mine) {
    if (!b.instance_id || !b.api_group_id || !b.id) continue;
    try {
      certificate = await ctx.client.getDomainCertificate(b.instance_id, b.api_group_id, b.id, certificateId);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return { serving: false, detail: `domain ${b.url_domain} does not serve ${certificateId}`, domains };
    }
    if (!sameSerial(certificate.serial_number, ctx.bundle.leaf.serialNumber)) {
      return {
        serving: false,
        detail: `domain ${b.url_domain} serves serial ${certificate.serial_number}, expected ${ctx.bundle.leaf.serialNumber}`,
        domains,
      };
    }
  }
  if (!certificate)
    throw verificationFailure('the gateway listed no readable binding for the shared certificate');
  return { serving: true, certificateId, certificate, domains };
}

async function currentCertificate(
  ctx: SyncContext,
  known?: CertificateStatus,
): Promise<CertificateDetail | undefined> {
  if (known?.id) {
    try {
      const d = await ctx.client.getCertificate(known.id);
      return { ...d, id: d.id ?? known.id };
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  // Status lost or stale: an earlier run may have made it (same name), with this content or older.
  const listOn = globalListing(ctx);
  if (!listOn) return undefined;
  const own = await findOwnCertificate(ctx, listOn);
  if (own) return own;
  const listed = await ctx.client.listAllCertificates({ name: ctx.certificateName, ...listOn });
  const same = listed.find((c) => c.name === ctx.certificateName);
  return same ? { ...(await ctx.client.getCertificate(same.id)), id: same.id } : undefined;
}

export async function pushShared(ctx: SyncContext, known?: CertificateStatus): Promise<PushResult> {
  const body = {
    name: ctx.certificateName,
    cert_content: ctx.bundle.certChainPem,
    private_key: ctx.bundle.privateKeyPkcs8Pem,
    type: 'global' as const,
    ...(ctx.trustedCaPem ? { trusted_root_ca: ctx.trustedCaPem } : {}),
  };
  const current = await currentCertificate(ctx, known);
  let action: PushResult['action'] = 'Attached';
  let id = current?.id;
  if (!id) {
    const created = await ctx.client.createCertificate(body);
    if (!created.id) throw verificationFailure('the create answer carried no certificate id');
    id = created.id;
    action = 'Created';
  } else if (!sameSerial(current?.serial_number, ctx.bundle.leaf.serialNumber)) {
    await ctx.client.updateCertificate(id, body);
    action = 'Updated';
  }
  const bound = await ctx.client.listAllAttachedDomains(id);
  const want = wanted(ctx);
  const missing = want.filter((w) => !bound.some((b) => sameDomain(b, w)));
  if (missing.length > 0) {
    const byName = new Map<string, string[]>();
    for (const m of missing) byName.set(m.name, [...(byName.get(m.name) ?? []), m.instanceId]);
    await ctx.client.attachDomains(
      id,
      [...byName].map(([domain, instance_ids]) => ({
        domain,
        instance_ids,
        verified_client_certificate_enabled: !!ctx.trustedCaPem,
      })),
    );
  }
  // Domains this resource attached before but no longer lists: detach them.
  const stale = bound.filter(
    (b) =>
      !want.some((w) => sameDomain(b, w)) &&
      ctx.gdc.status?.domains?.some((d) => d.name === b.url_domain && d.instanceId === b.instance_id),
  );
  if (stale.length > 0) {
    await ctx.client.detachDomains(
      id,
      stale.map((b) => ({ domain: b.url_domain ?? '', instance_ids: b.instance_id ? [b.instance_id] : [] })),
    );
  }
  return { certificateId: id, action };
}
