// What both sync modes work with, and the pieces they share: finding a certificate this operator
// already made for the same content (crash recovery), and describing what the gateway serves.
import type { CertificateStatus, DomainStatus, GatewayDomainCertificate } from '../api/v1alpha1.ts';
import { Reason } from '../api/v1alpha1.ts';
import type { CertificateBundle } from '../certs/index.ts';
import type { CertificateDetail, GatewayClient, ListCertificatesQuery } from '../gateway/index.ts';
import type { DomainDirectory } from './domain-directory.ts';
import { SyncFailure } from './failures.ts';

export interface SyncContext {
  gdc: GatewayDomainCertificate;
  client: GatewayClient;
  bundle: CertificateBundle;
  trustedCaPem: string | undefined;
  certificateName: string;
  /** Shared name → id lookups per gateway. */
  directory: DomainDirectory;
}

/** What the gateway serves after a push or on a verify. `serving` is false on drift. */
export interface Observation {
  serving: boolean;
  detail?: string;
  certificateId?: string;
  certificate?: CertificateDetail;
  domains: DomainStatus[];
}

export interface PushResult {
  certificateId: string;
  action: 'Uploaded' | 'Created' | 'Updated' | 'Adopted' | 'Attached';
  /** Our certificates this push made obsolete (Domain mode), to delete once the new one is verified. */
  replaced?: string[];
}

/**
 * Is the gateway's serial the leaf's (decimal)? The pages show decimal, but a serial written in hex
 * (with or without `0x` or colons) must match too, so a format change can never cause upload loops.
 */
export function sameSerial(gatewaySerial: string | undefined, leafSerial: string): boolean {
  if (!gatewaySerial || !/^\d+$/.test(leafSerial.trim())) return false;
  const leaf = BigInt(leafSerial.trim());
  const s = gatewaySerial.trim();
  if (/^\d+$/.test(s) && BigInt(s) === leaf) return true;
  const hex = s.replace(/^0x/i, '').replace(/:/g, '');
  return /^[0-9a-f]+$/i.test(hex) && BigInt(`0x${hex}`) === leaf;
}

/**
 * A certificate with our name and this content that an earlier run made but never recorded
 * (killed between upload and status write). List items carry no serial, so candidates are read one
 * by one, skipping the one status already says holds other content.
 */
export async function findOwnCertificate(
  ctx: SyncContext,
  listOn: Pick<ListCertificatesQuery, 'instance_id' | 'type'>,
  known?: CertificateStatus,
): Promise<CertificateDetail | undefined> {
  const listed = await ctx.client.listAllCertificates({ name: ctx.certificateName, ...listOn });
  const candidates = listed
    .filter((c) => c.name === ctx.certificateName)
    .filter(
      (c) =>
        !(
          known?.id === c.id &&
          known.serialNumber &&
          !sameSerial(known.serialNumber, ctx.bundle.leaf.serialNumber)
        ),
    )
    .sort((a, b) => (b.create_time ?? '').localeCompare(a.create_time ?? ''))
    .slice(0, 5);
  for (const c of candidates) {
    const detail = await ctx.client.getCertificate(c.id);
    if (sameSerial(detail.serial_number, ctx.bundle.leaf.serialNumber))
      return { ...detail, id: detail.id ?? c.id };
  }
  return undefined;
}

export function verificationFailure(what: string): SyncFailure {
  return new SyncFailure(Reason.VerificationFailed, what, 'backoff');
}
