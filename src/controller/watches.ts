// What the controller watches and how an event becomes work: GatewayDomainCertificates in full
// (they are small), and Secrets only as digests — TLS Secrets by field selector with a digest of
// their data; credentials Secrets (type Opaque) as their metadata only, their resourceVersion
// standing for the data — so memory stays flat however many Secrets the cluster holds — and, when
// cert-manager is there and the operator may read them, its Certificates' Ready state.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { GatewayDomainCertificate } from '../api/v1alpha1.ts';
import { compactResource, intern } from '../kube/compact.ts';
import { Reflector, type ReflectorOptions, type WatchEventType } from '../kube/reflector.ts';
import { gdcPath, secretsPath } from '../kube/resources.ts';
import { secretDataDigest } from '../kube/secret-digest.ts';
import type { CertificateState } from '../reconciler/issuance.ts';
import { certificatesPath, compactCertificate } from './certificates.ts';

export interface SecretDigest {
  digest: string;
}

function secretDigest(obj: KubernetesObject): SecretDigest {
  return { digest: secretDataDigest((obj as { data?: Record<string, string> }).data) };
}

/**
 * An Opaque Secret seen as metadata only: its resourceVersion changes whenever its data does (and on
 * metadata changes, which wake its users for nothing). Never equal to a data digest, so a resource
 * whose TLS Secret is of type Opaque reads it on each reconcile instead of trusting the cache.
 */
function secretVersion(obj: KubernetesObject): SecretDigest {
  return { digest: `rv:${obj.metadata?.resourceVersion ?? ''}` };
}

/**
 * Which resources name which Secret (namespace/name → resource keys), kept in step with the cache. A
 * Secret named by one resource (the usual TLS Secret) maps to that key itself, not to a one-element Set.
 */
export class SecretIndex {
  private readonly bySecret = new Map<string, string | Set<string>>();
  private readonly byResource = new Map<string, readonly [string, string]>();

  update(key: string, gdc: GatewayDomainCertificate | undefined): void {
    const before = this.byResource.get(key);
    const ns = gdc?.metadata.namespace;
    const after = gdc
      ? ([`${ns}/${gdc.spec.secretName}`, intern(`${ns}/${gdc.spec.credentialsSecretRef.name}`)] as const)
      : undefined;
    // Most events are status writes: the Secrets named did not change.
    if (before && after && before[0] === after[0] && before[1] === after[1]) return;
    for (const s of before ?? []) this.remove(s, key);
    if (after) {
      this.byResource.set(key, after);
      for (const s of after) this.add(s, key);
    } else this.byResource.delete(key);
  }

  users(secretKey: string): string[] {
    const u = this.bySecret.get(secretKey);
    return u === undefined ? [] : typeof u === 'string' ? [u] : [...u];
  }

  private add(secret: string, key: string): void {
    const u = this.bySecret.get(secret);
    if (u === undefined || u === key) this.bySecret.set(secret, key);
    else if (typeof u === 'string') this.bySecret.set(secret, new Set([u, key]));
    else u.add(key);
  }

  private remove(secret: string, key: string): void {
    const u = this.bySecret.get(secret);
    if (u === key) this.bySecret.delete(secret);
    else if (typeof u === 'object') {
      u.delete(key);
      if (u.size === 1) this.bySecret.set(secret, u.values().next().value!);
    }
  }
}

/** A change worth a reconcile: spec (generation), deletion, finalizers or annotations — not our own status writes. */
export function needsReconcile(
  prev: GatewayDomainCertificate | undefined,
  next: GatewayDomainCertificate | undefined,
) {
  if (!prev || !next) return true;
  const m = (g: GatewayDomainCertificate) =>
    JSON.stringify([
      g.metadata.generation,
      g.metadata.deletionTimestamp ?? null,
      g.metadata.finalizers ?? [],
      g.metadata.annotations ?? {},
    ]);
  return m(prev) !== m(next);
}

export type WatchTiming = Pick<
  ReflectorOptions<unknown>,
  'watchTimeoutSeconds' | 'stallGraceMs' | 'firstByteMs' | 'backoffInitialMs' | 'backoffMaxMs'
>;

const SECRET_PAGE_SIZE = 100;

export interface WatchSet {
  resources: Reflector<GatewayDomainCertificate>[];
  secrets: Reflector<SecretDigest>[];
  /** Optional: empty, synced and healthy without cert-manager's CRD or the permission to read it. */
  certificates: Reflector<CertificateState>[];
}

/** How often a missing cert-manager CRD (or permission) is looked for again. */
export const CERTIFICATE_RECHECK_MS = 300_000;

export function createWatches(opts: {
  kubeConfig: KubeConfig;
  namespaces: string[] | undefined;
  logger: Logger;
  /** Watch timing (tests shorten it). */
  watch?: WatchTiming;
  onResource: (
    type: WatchEventType,
    key: string,
    next?: GatewayDomainCertificate,
    prev?: GatewayDomainCertificate,
  ) => void;
  /** `raw`: the Secret as its watch event delivered it (absent on relists and deletions). */
  onSecret: (key: string, raw?: KubernetesObject) => void;
  onCertificate: (key: string, next?: CertificateState, prev?: CertificateState) => void;
  /** Default CERTIFICATE_RECHECK_MS (tests shorten it). */
  certificateRecheckMs?: number;
}): WatchSet {
  const scopes = opts.namespaces?.length ? opts.namespaces : [undefined];
  const common = { kubeConfig: opts.kubeConfig, logger: opts.logger, ...opts.watch };
  const secretChanged = (
    _t: WatchEventType,
    key: string,
    next?: SecretDigest,
    prev?: SecretDigest,
    raw?: KubernetesObject,
  ) => {
    if (next?.digest !== prev?.digest) opts.onSecret(key, next ? raw : undefined);
  };
  return {
    resources: scopes.map(
      (ns) =>
        new Reflector<GatewayDomainCertificate>({
          ...common,
          path: gdcPath(ns),
          transform: compactResource, // no managedFields, repeated strings shared
          onChange: opts.onResource,
        }),
    ),
    secrets: scopes.flatMap((ns) => [
      new Reflector<SecretDigest>({
        ...common,
        path: secretsPath(ns),
        fieldSelector: 'type=kubernetes.io/tls',
        // Secrets can be large (8 KiB and more each): a page of 500 is a 5 MiB answer parsed at once, and V8
        // keeps the heap that peak needed. Pages of 100 keep start-up's peak near what the caches hold.
        pageSize: SECRET_PAGE_SIZE,
        transform: secretDigest,
        onChange: secretChanged,
      }),
      // Credentials are read at reconcile time; the cache only has to say that one changed. Opaque is
      // also every other application's Secrets: listing their data (10,000 of 8 KiB: 110 MiB of JSON)
      // was most of start-up's time and peak.
      new Reflector<SecretDigest>({
        ...common,
        path: secretsPath(ns),
        fieldSelector: 'type=Opaque',
        metadataOnly: true,
        transform: secretVersion,
        // No raw object to hand over: a metadata-only event has no data.
        onChange: (_t, key, next, prev) => {
          if (next?.digest !== prev?.digest) opts.onSecret(key);
        },
      }),
    ]),
    certificates: scopes.map(
      (ns) =>
        new Reflector<CertificateState>({
          ...common,
          path: certificatesPath(ns),
          transform: compactCertificate,
          onChange: (_t, key, next, prev) => opts.onCertificate(key, next, prev),
          optional: { recheckMs: opts.certificateRecheckMs ?? CERTIFICATE_RECHECK_MS },
        }),
    ),
  };
}
