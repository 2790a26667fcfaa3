// What both sync modes work with, the one interface a resource's mode is driven through, and the
// pieces the modes share: finding certificates this operator made under a resource's name (after a
// lost answer), removing replaced ones, and describing what the gateway serves.
import type {
  CertificateStatus,
  DomainStatus,
  GatewayDomainCertificate,
  PendingWrite,
} from '../api/v1alpha1.ts';
import { Reason } from '../api/v1alpha1.ts';
import type { CertificateBundle } from '../certs/index.ts';
import {
  type CertificateDetail,
  type CertificateInput,
  type GatewayClient,
  GatewayError,
  type ListCertificatesQuery,
} from '../gateway/index.ts';
import { byCodeUnit } from '../order.ts';
import type { DomainDirectory } from './domain-directory.ts';
import { isNotFound, SyncFailure } from './failures.ts';

export interface SyncContext {
  gdc: GatewayDomainCertificate;
  client: GatewayClient;
  bundle: CertificateBundle;
  trustedCaPem: string | undefined;
  certificateName: string;
  /** Shared name → id lookups per gateway. */
  directory: DomainDirectory;
  /** Ids and bindings in status come from a confirmed sync of this generation (no drift seen since). */
  trusted: boolean;
  /** A create/upload an earlier attempt started whose answer may have been lost. */
  pending: PendingWrite | undefined;
  /** Records in status that a non-idempotent write is about to happen (called just before it). */
  intend(): Promise<void>;
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
  /** Our certificates this push made obsolete, to delete once the new binding is confirmed. */
  replaced?: string[];
  /** The read-back, when the push already made it. */
  seen?: Observation;
}

/** Domain and Shared mode behind one interface, chosen once per resource. */
export interface SyncMode {
  /** Writes the certificate: update in place, adopt what a lost answer left, or create/upload. */
  push(known: CertificateStatus | undefined): Promise<PushResult>;
  /** Reads back whether every domain serves `certificateId` with the leaf's serial. */
  observe(certificateId: string): Promise<Observation>;
  /** Deletes those of `ids` that are bound nowhere; returns the ids deleted. */
  cleanup(ids: string[]): Promise<string[]>;
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

/** The body of every create, upload and update. */
export function certificateBody(ctx: SyncContext, scope: Pick<CertificateInput, 'type' | 'instance_id'>) {
  return {
    name: ctx.certificateName,
    cert_content: ctx.bundle.certChainPem,
    private_key: ctx.bundle.privateKeyPkcs8Pem,
    ...scope,
    ...(ctx.trustedCaPem ? { trusted_root_ca: ctx.trustedCaPem } : {}),
  } satisfies CertificateInput;
}

export interface OwnCertificates {
  /** Ours with this leaf's serial (newest first wins). */
  match?: CertificateDetail;
  /** Every other certificate under our name. */
  others: string[];
}

/**
 * After a write whose answer was lost: the certificates carrying our name, and the one among them
 * holding this content. List items carry no serial, so candidates are read one by one (newest first).
 */
export async function findOwnCertificates(
  ctx: SyncContext,
  listOn: Pick<ListCertificatesQuery, 'instance_id' | 'type'>,
): Promise<OwnCertificates> {
  const listed = await ctx.client.listAllCertificates({ name: ctx.certificateName, ...listOn });
  const mine = listed
    .filter((c) => c.name === ctx.certificateName)
    .sort((a, b) => byCodeUnit(b.create_time ?? '', a.create_time ?? ''));
  let match: CertificateDetail | undefined;
  for (const c of mine.slice(0, 5)) {
    const detail = await ctx.client.getCertificate(c.id);
    if (sameSerial(detail.serial_number, ctx.bundle.leaf.serialNumber)) {
      match = { ...detail, id: detail.id ?? c.id };
      break;
    }
  }
  return { ...(match ? { match } : {}), others: mine.map((c) => c.id).filter((id) => id !== match?.id) };
}

/** Deletes those of `ids` no domain is bound to (a bound one is never ours to pull away). */
export async function removeUnbound(ctx: Pick<SyncContext, 'client'>, ids: string[]): Promise<string[]> {
  const deleted: string[] = [];
  for (const id of new Set(ids)) {
    try {
      if ((await ctx.client.listAllAttachedDomains(id)).length > 0) continue;
      await ctx.client.deleteCertificate(id);
      deleted.push(id);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return deleted;
}

/**
 * Runs an idempotent write. An answer that never came whole (timeout, reset, 5xx after the retries)
 * may hide a write that happened: returned, not thrown, so the read-back decides.
 */
export async function writeThenLook(write: () => Promise<unknown>): Promise<GatewayError | undefined> {
  try {
    await write();
    return undefined;
  } catch (err) {
    if (err instanceof GatewayError && err.kind === 'retryable') return err;
    throw err;
  }
}

export function verificationFailure(what: string): SyncFailure {
  return new SyncFailure(Reason.VerificationFailed, what, 'backoff');
}
