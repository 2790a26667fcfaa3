// cert-manager's Certificates, as the little the reconciler needs: which Secret each writes and its
// Ready condition. Optional: without cert-manager's CRD (404) or the permission (403) the watch is
// empty, synced and healthy, and Secrets are judged on their content alone.
import type { KubernetesObject } from '@kubernetes/client-node';
import { intern } from '../kube/compact.ts';
import type { CertificateState } from '../reconciler/issuance.ts';
import { certificateReady } from '../reconciler/issuance.ts';

export function certificatesPath(namespace?: string): string {
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `/apis/cert-manager.io/v1${ns}/certificates`;
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

interface Certificate extends KubernetesObject {
  spec?: { secretName?: string };
  status?: { conditions?: Condition[] };
}

// cert-manager's messages are short; a long one is cut so one odd object cannot grow the cache.
const MAX_MESSAGE = 200;

/** The cached record: a few short strings and numbers per Certificate. */
export function compactCertificate(obj: KubernetesObject): CertificateState {
  const c = obj as Certificate;
  const out: CertificateState = { name: c.metadata?.name ?? '', secretName: c.spec?.secretName ?? '' };
  if (c.metadata?.generation !== undefined) out.generation = c.metadata.generation;
  const r = c.status?.conditions?.find((x) => x.type === 'Ready');
  if (r) {
    out.ready = { status: intern(r.status ?? 'Unknown') };
    if (r.observedGeneration !== undefined) out.ready.observedGeneration = r.observedGeneration;
    // Only a Certificate that is not Ready is ever quoted: a Ready one keeps no text at all.
    if (!certificateReady(out)) {
      if (r.reason) out.ready.reason = intern(r.reason);
      if (r.message) out.ready.message = r.message.slice(0, MAX_MESSAGE);
    }
  }
  return out;
}

/** What a resource's status says about the Certificate: a change of it is worth a reconcile. */
export function certificateVerdict(c: CertificateState | undefined): string {
  if (!c) return '';
  return certificateReady(c)
    ? `${c.secretName}\0ready`
    : `${c.secretName}\0${c.ready?.reason}\0${c.ready?.message}`;
}

/** Which Certificate writes which Secret (namespace/secretName → namespace/certificateName). */
export class CertificateIndex {
  private readonly bySecret = new Map<string, string>();

  /** Keeps the index in step; returns the Secrets whose Certificate changed (their users need a look). */
  update(key: string, next: CertificateState | undefined, prev: CertificateState | undefined): string[] {
    const ns = key.slice(0, key.indexOf('/'));
    const before = prev?.secretName ? `${ns}/${prev.secretName}` : undefined;
    const after = next?.secretName ? `${ns}/${next.secretName}` : undefined;
    if (before && before !== after && this.bySecret.get(before) === key) this.bySecret.delete(before);
    if (after) this.bySecret.set(after, key);
    if (certificateVerdict(prev) === certificateVerdict(next)) return [];
    return [...new Set([before, after].filter((s): s is string => s !== undefined))];
  }

  /** The Certificate key for a Secret key, if a cached Certificate writes it. */
  certificateFor(secretKey: string): string | undefined {
    return this.bySecret.get(secretKey);
  }
}
