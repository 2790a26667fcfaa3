// Mode Domain: the first sync uploads to the domain's own endpoint (page 004), which creates a
// certificate and binds it in one call; renewals update that certificate in place; read back with
// page 000.

import type { CertificateStatus, DomainStatus } from '../api/v1alpha1.ts';
import { Reason } from '../api/v1alpha1.ts';
import { isNotFound, SyncFailure } from './failures.ts';
import {
  certificateBody,
  findOwnCertificates,
  type Observation,
  type PushResult,
  removeUnbound,
  type SyncContext,
  type SyncMode,
  sameSerial,
  writeThenLook,
} from './sync-context.ts';

export interface DomainTarget {
  instanceId: string;
  groupId: string;
  domainId: string;
  name: string;
  cnameStatus?: number;
  minSslVersion?: string;
}

/** Ids from spec, else from status when it describes the same domain, else looked up at the gateway. */
export async function resolveDomain(
  ctx: Pick<SyncContext, 'gdc' | 'client' | 'directory'>,
  useStatus: boolean,
): Promise<DomainTarget> {
  const g = ctx.gdc.spec.gateway;
  const instanceId = g.instanceId ?? '';
  const cached = ctx.gdc.status?.domains?.[0];
  if (useStatus && cached?.id && cached.name && cached.groupId && cached.instanceId === instanceId) {
    const matches = g.domainId ? cached.id === g.domainId : cached.name === g.domain;
    if (matches) return toTarget(instanceId, cached);
  }
  if (g.domainId && g.groupId) {
    const group = await ctx.client.getApiGroup(instanceId, g.groupId);
    const d = group.url_domains?.find((u) => u.id === g.domainId);
    if (!d)
      throw domainNotFound(
        `domain id ${g.domainId} is not in API group ${g.groupId} on gateway ${instanceId}`,
      );
    return {
      instanceId,
      groupId: g.groupId,
      domainId: d.id,
      name: d.domain,
      ...(d.cname_status !== undefined ? { cnameStatus: d.cname_status } : {}),
      ...(d.min_ssl_version ? { minSslVersion: d.min_ssl_version } : {}),
    };
  }
  const found = await ctx.directory.find(ctx.client, instanceId, g.domain ?? '');
  if (!found)
    throw domainNotFound(`domain ${g.domain} is not bound to any API group on gateway ${instanceId}`);
  return {
    instanceId,
    groupId: found.groupId,
    domainId: found.domainId,
    name: found.domain.domain,
    ...(found.domain.cname_status !== undefined ? { cnameStatus: found.domain.cname_status } : {}),
    ...(found.domain.min_ssl_version ? { minSslVersion: found.domain.min_ssl_version } : {}),
  };
}

function toTarget(instanceId: string, d: DomainStatus): DomainTarget {
  return {
    instanceId,
    groupId: d.groupId ?? '',
    domainId: d.id ?? '',
    name: d.name ?? '',
    ...(d.cnameStatus !== undefined ? { cnameStatus: d.cnameStatus } : {}),
    ...(d.minSslVersion ? { minSslVersion: d.minSslVersion } : {}),
  };
}

/**
 * API Gateway's domain upload (the SDK's apig CertForm) has no trusted_root_ca: client verification
 * there goes through the certificates API, which is what Shared mode uses. Refuse before any call.
 */
export function checkDomainModeSupport(service: string, trustedCaPem: string | undefined): void {
  if (service !== 'apig' || !trustedCaPem) return;
  throw new SyncFailure(
    Reason.InvalidSpec,
    'spec.clientVerification: API Gateway (service apig) cannot take a trusted root CA in Domain mode ' +
      '(its domain upload has no trusted_root_ca); use mode: Shared, or disable client verification',
    'terminal',
  );
}

function domainNotFound(message: string): SyncFailure {
  return new SyncFailure(Reason.DomainNotFound, message, 'recheck');
}

export function domainStatus(t: DomainTarget): DomainStatus {
  return {
    id: t.domainId,
    name: t.name,
    instanceId: t.instanceId,
    groupId: t.groupId,
    ...(t.cnameStatus !== undefined ? { cnameStatus: t.cnameStatus } : {}),
    ...(t.minSslVersion ? { minSslVersion: t.minSslVersion } : {}),
  };
}

/** Page 000: is the domain serving certificate `certificateId` with the leaf's serial? */
export async function observeDomain(
  ctx: SyncContext,
  t: DomainTarget,
  certificateId: string,
): Promise<Observation> {
  const domains = [domainStatus(t)];
  try {
    const served = await ctx.client.getDomainCertificate(t.instanceId, t.groupId, t.domainId, certificateId);
    if (!sameSerial(served.serial_number, ctx.bundle.leaf.serialNumber)) {
      return {
        serving: false,
        detail: `domain ${t.name} serves serial ${served.serial_number}, expected ${ctx.bundle.leaf.serialNumber}`,
        domains,
      };
    }
    return { serving: true, certificateId, certificate: served, domains };
  } catch (err) {
    if (!isNotFound(err)) throw err;
    return {
      serving: false,
      detail: `certificate ${certificateId} is no longer bound to domain ${t.name}`,
      domains,
    };
  }
}

/** Domain mode behind the common interface, for one resolved domain. */
export function domainMode(ctx: SyncContext, t: DomainTarget): SyncMode {
  return {
    push: (known) => pushDomain(ctx, t, known),
    observe: (id) => observeDomain(ctx, t, id),
    cleanup: (ids) => removeUnbound(ctx, ids),
  };
}

/**
 * A renewal updates our bound certificate in place (one idempotent write); a first sync, or a domain
 * no longer bound to ours, uploads (non-idempotent: intent recorded first). After a lost answer the
 * certificate that write may have made is looked for, and adopted, before anything is written again.
 */
async function pushDomain(ctx: SyncContext, t: DomainTarget, known?: CertificateStatus): Promise<PushResult> {
  const replaced: string[] = [];
  if (ctx.pending) {
    const own = await findOwnCertificates(ctx, { instance_id: t.instanceId });
    replaced.push(...own.others);
    if (own.match?.id) {
      const seen = await observeDomain(ctx, t, own.match.id);
      const id = own.match.id;
      if (seen.serving)
        return { certificateId: id, action: 'Adopted', seen, replaced: without(replaced, id) };
      replaced.push(id);
    }
  }
  // The same body the upload takes per family (API Gateway's has no type/instance_id), so the
  // update in place never asks to change what the upload made.
  const scope = ctx.client.family === 'apic' ? { type: 'instance' as const, instance_id: t.instanceId } : {};
  const body = certificateBody(ctx, scope);
  const ours = known?.id && known.name === ctx.certificateName ? known.id : undefined;
  if (ours && !sameSerial(known?.serialNumber, ctx.bundle.leaf.serialNumber)) {
    try {
      const lost = await writeThenLook(() => ctx.client.updateCertificate(ours, body));
      const seen = await observeDomain(ctx, t, ours);
      if (seen.serving)
        return { certificateId: ours, action: 'Updated', seen, replaced: without(replaced, ours) };
      if (lost) throw lost;
      // Ours is no longer what the domain serves (drift): uploading binds a new one; ours goes.
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  await ctx.intend();
  const res = await ctx.client.uploadDomainCertificate(t.instanceId, t.groupId, t.domainId, body);
  const id = res.ssl_id ?? res.ssl_infos?.[0]?.ssl_id;
  if (!id)
    throw new SyncFailure(
      Reason.VerificationFailed,
      'the upload answer carried no certificate id',
      'backoff',
    );
  if (res.status !== undefined) t.cnameStatus = res.status;
  if (res.min_ssl_version) t.minSslVersion = res.min_ssl_version;
  if (known?.id) replaced.push(known.id);
  return { certificateId: id, action: 'Uploaded', replaced: without(replaced, id) };
}

function without(ids: string[], id: string): string[] {
  return [...new Set(ids)].filter((x) => x !== id);
}
