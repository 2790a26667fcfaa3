// Builds the next status from an outcome, and the minimal merge patch from old to new, so a
// reconcile that changed nothing writes nothing (and never wakes itself through its own update).
import type {
  CertificateStatus,
  GatewayDomainCertificate,
  GatewayDomainCertificateStatus,
} from '../api/v1alpha1.ts';
import type { CertificateBundle } from '../certs/index.ts';
import type { CertificateDetail } from '../gateway/index.ts';
import { byCodeUnit } from '../order.ts';
import { rfc3339 } from './conditions.ts';

export function certificateStatus(
  bundle: CertificateBundle,
  id: string,
  name: string,
  served: CertificateDetail | undefined,
  contentHash: string,
): CertificateStatus {
  const leaf = bundle.leaf;
  return {
    id,
    name,
    // What the gateway reports wins; the leaf fills what it does not report (it has no fingerprint).
    serialNumber: served?.serial_number ?? leaf.serialNumber,
    sha256Fingerprint: leaf.sha256Fingerprint,
    notBefore: rfc3339(leaf.notBefore),
    notAfter: rfc3339(leaf.notAfter),
    dnsNames: leaf.dnsNames,
    issuer: leaf.issuer,
    contentHash,
  };
}

const stable = (v: unknown): string =>
  JSON.stringify(v, (_k, val) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => byCodeUnit(a, b)))
      : val,
  );

/** Top-level merge patch: changed fields set, vanished fields null; undefined when nothing changed. */
export function statusPatch(
  old: GatewayDomainCertificateStatus | undefined,
  next: GatewayDomainCertificateStatus,
): Record<string, unknown> | undefined {
  const patch: Record<string, unknown> = {};
  const keys = new Set([...Object.keys(old ?? {}), ...Object.keys(next)]);
  for (const k of keys) {
    const a = (old as Record<string, unknown> | undefined)?.[k];
    const b = (next as Record<string, unknown>)[k];
    if (b === undefined) {
      if (a !== undefined) patch[k] = null;
    } else if (stable(a) !== stable(b)) {
      patch[k] = b;
    }
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}

export function generationOf(gdc: GatewayDomainCertificate): number | undefined {
  return gdc.metadata.generation;
}
