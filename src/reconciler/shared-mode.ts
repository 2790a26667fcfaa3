// Mode Shared: one global certificate, created once and then updated in place on renewal (every
// domain bound to it serves the new content at once), attached to spec.domains on their gateways.
import type { CertificateStatus, DomainStatus } from '../api/v1alpha1.ts';
import type { BoundDomain, CertificateDetail } from '../gateway/index.ts';
import { isNotFound } from './failures.ts';
import {
  certificateBody,
  findOwnCertificates,
  type Observation,
  type PushResult,
  removeUnbound,
  type SyncContext,
  type SyncMode,
  sameSerial,
  verificationFailure,
  writeThenLook,
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

/** Shared mode behind the common interface. */
export function sharedMode(ctx: SyncContext): SyncMode {
  return {
    push: (known) => pushShared(ctx, known),
    observe: (id) => observeShared(ctx, id),
    cleanup: (ids) => removeUnbound(ctx, ids),
  };
}

/** Where the certificate is bound: from a trusted status (no call), else listed at the gateway. */
async function boundDomains(ctx: SyncContext, certificateId: string): Promise<BoundDomain[]> {
  const recorded = ctx.gdc.status?.domains ?? [];
  const want = wanted(ctx);
  const covers = want.every((w) =>
    recorded.some((d) => d.name?.toLowerCase() === w.name.toLowerCase() && d.instanceId === w.instanceId),
  );
  if (
    ctx.trusted &&
    ctx.gdc.status?.certificate?.id === certificateId &&
    covers &&
    recorded.every((d) => d.id)
  ) {
    return recorded.map((d) => ({
      ...(d.id ? { id: d.id } : {}),
      ...(d.name ? { url_domain: d.name } : {}),
      ...(d.instanceId ? { instance_id: d.instanceId } : {}),
      ...(d.groupId ? { api_group_id: d.groupId } : {}),
      ...(d.cnameStatus !== undefined ? { status: d.cnameStatus } : {}),
      ...(d.minSslVersion ? { min_ssl_version: d.minSslVersion } : {}),
    }));
  }
  return ctx.client.listAllAttachedDomains(certificateId);
}

async function observeShared(ctx: SyncContext, certificateId: string): Promise<Observation> {
  try {
    return await observeBound(ctx, certificateId, await boundDomains(ctx, certificateId));
  } catch (err) {
    if (!isNotFound(err)) throw err;
    return { serving: false, detail: `certificate ${certificateId} no longer exists`, domains: [] };
  }
}

/** Reads back each wanted domain of `bound` (where the certificate is attached, as far as known). */
async function observeBound(
  ctx: SyncContext,
  certificateId: string,
  bound: BoundDomain[],
): Promise<Observation> {
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

/**
 * The ids of domains a push just attached, from the directory every resource shares (no call while it
 * is fresh): the attach answer is empty, and listing the attached domains would cost a call per push.
 * Undefined when a name is not there; the caller then lists.
 */
async function attachedFromDirectory(ctx: SyncContext, attached: Want[]): Promise<BoundDomain[] | undefined> {
  const out: BoundDomain[] = [];
  for (const w of attached) {
    const found = await ctx.directory.find(ctx.client, w.instanceId, w.name).catch(() => undefined);
    if (!found) return undefined;
    out.push({
      id: found.domainId,
      url_domain: found.domain.domain,
      instance_id: w.instanceId,
      api_group_id: found.groupId,
      ...(found.domain.cname_status !== undefined ? { status: found.domain.cname_status } : {}),
      ...(found.domain.min_ssl_version ? { min_ssl_version: found.domain.min_ssl_version } : {}),
    });
  }
  return out;
}

/**
 * One global certificate: updated in place on renewal (idempotent), created once (intent recorded
 * first). After a lost create answer, the certificate under our name is adopted, never made twice.
 */
async function pushShared(ctx: SyncContext, known?: CertificateStatus): Promise<PushResult> {
  const body = certificateBody(ctx, { type: 'global' });
  const replaced: string[] = [];
  let id = known?.id && known.name === ctx.certificateName ? known.id : undefined;
  let serial = id ? known?.serialNumber : undefined;
  let action: PushResult['action'] = 'Attached';
  const listOn = globalListing(ctx);
  if (ctx.pending && !id && listOn) {
    const own = await findOwnCertificates(ctx, listOn);
    // The newest of ours with this content, else the newest of ours (updated below).
    const pick = own.match?.id ?? own.others[0];
    if (pick) {
      id = pick;
      serial = own.match?.id ? ctx.bundle.leaf.serialNumber : undefined;
      action = 'Adopted';
      replaced.push(...own.others.filter((x) => x !== pick));
    }
  }
  if (id && !sameSerial(serial, ctx.bundle.leaf.serialNumber)) {
    try {
      const target = id;
      await writeThenLook(() => ctx.client.updateCertificate(target, body));
      action = 'Updated';
    } catch (err) {
      if (!isNotFound(err)) throw err;
      id = undefined; // gone (deleted by hand): make it again
    }
  }
  let bound: BoundDomain[] = [];
  if (!id) {
    await ctx.intend();
    const created = await ctx.client.createCertificate(body);
    if (!created.id) throw verificationFailure('the create answer carried no certificate id');
    id = created.id;
    action = 'Created';
  } else {
    bound = await boundDomains(ctx, id);
  }
  const want = wanted(ctx);
  const missing = want.filter((w) => !bound.some((b) => sameDomain(b, w)));
  if (missing.length > 0) {
    const byName = new Map<string, string[]>();
    for (const m of missing) byName.set(m.name, [...(byName.get(m.name) ?? []), m.instanceId]);
    const target = id;
    await writeThenLook(() =>
      ctx.client.attachDomains(
        target,
        [...byName].map(([domain, instance_ids]) => ({
          domain,
          instance_ids,
          verified_client_certificate_enabled: !!ctx.trustedCaPem,
        })),
      ),
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
  if (known?.id && known.id !== id) replaced.push(known.id);
  // Where it is attached now is known: what was bound (listed or trusted) plus what was just attached.
  // The read-back only needs each domain's ids, so it reads the domains without listing them again.
  const added = missing.length > 0 ? await attachedFromDirectory(ctx, missing) : [];
  const seen = added ? await observeBound(ctx, id, [...bound, ...added]) : undefined;
  return {
    certificateId: id,
    action,
    replaced: [...new Set(replaced)].filter((x) => x !== id),
    ...(seen ? { seen } : {}),
  };
}
