// What the sweep of leftovers may delete, decided from one listing: a certificate that carries the
// certificate name of a live, settled resource (so this operator made it for that resource), is not
// the one the resource records, and is older than the grace period (no push is making it right now).
// Whether it is bound anywhere is checked at the gateway right before the delete (sweeper.ts).
import type { GatewayDomainCertificate } from '../api/v1alpha1.ts';
import type { CertBase, ListCertificatesQuery } from '../gateway/index.ts';
import { readyCondition } from './conditions.ts';
import { certificateNameOf } from './naming.ts';

export interface SweepCandidate {
  owner: GatewayDomainCertificate;
  id: string;
  name: string;
}

/** Confirmed in status for its generation, no write in flight, not suspended or being deleted. */
export function settled(gdc: GatewayDomainCertificate): boolean {
  const s = gdc.status;
  return (
    !gdc.metadata.deletionTimestamp &&
    !gdc.spec.suspend &&
    !!s?.certificate?.id &&
    !s.pendingWrite &&
    s.observedGeneration === gdc.metadata.generation &&
    readyCondition(s)?.status === 'True'
  );
}

/** The listing that shows a resource's certificates: its gateway instance (global ones by type). */
export function listingFor(
  gdc: GatewayDomainCertificate,
): Pick<ListCertificatesQuery, 'instance_id' | 'type'> | undefined {
  if (gdc.spec.mode === 'Shared') {
    const instance = gdc.spec.domains?.[0]?.instanceIds[0];
    return instance ? { instance_id: instance, type: 'global' } : undefined;
  }
  const instance = gdc.status?.domains?.[0]?.instanceId ?? gdc.spec.gateway.instanceId;
  return instance ? { instance_id: instance } : undefined;
}

export function sweepCandidates(
  listed: readonly CertBase[],
  owners: readonly GatewayDomainCertificate[],
  now: number,
  graceMs: number,
): SweepCandidate[] {
  const byName = new Map<string, GatewayDomainCertificate>();
  for (const o of owners) if (settled(o)) byName.set(certificateNameOf(o), o);
  const out: SweepCandidate[] = [];
  for (const c of listed) {
    const owner = byName.get(c.name);
    if (!owner || owner.status?.certificate?.id === c.id) continue;
    const created = Date.parse(c.create_time ?? '');
    if (!Number.isFinite(created) || now - created < graceMs) continue;
    out.push({ owner, id: c.id, name: c.name });
  }
  return out;
}
