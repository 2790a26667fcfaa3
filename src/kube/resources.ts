// API paths and writes for the resources the operator touches. It writes only the /status
// subresource and its own finalizer: never spec or metadata a GitOps tool owns.
import type { KubeConfig } from '@kubernetes/client-node';
import type { GatewayDomainCertificate } from '../api/v1alpha1.ts';
import { FINALIZER, GROUP, PLURAL, VERSION } from '../api/v1alpha1.ts';
import type { SecretRead, SecretSource } from '../reconciler/inputs.ts';
import type { StatusWriter } from '../reconciler/ports.ts';
import { errorCode, kubeRequest } from './http.ts';
import { secretDataDigest } from './secret-digest.ts';

const MERGE = 'application/merge-patch+json';

export function gdcPath(namespace?: string, name?: string): string {
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `/apis/${GROUP}/${VERSION}${ns}/${PLURAL}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

export function secretsPath(namespace?: string, name?: string): string {
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `/api/v1${ns}/secrets${name ? `/${encodeURIComponent(name)}` : ''}`;
}

export class KubeStatusWriter implements StatusWriter {
  private readonly kc: KubeConfig;
  private readonly onWritten: ((written: GatewayDomainCertificate) => void) | undefined;
  /** `onWritten` sees each object as the API server returned it after a status write. */
  constructor(kc: KubeConfig, onWritten?: (written: GatewayDomainCertificate) => void) {
    this.kc = kc;
    this.onWritten = onWritten;
  }

  async patchStatus(gdc: GatewayDomainCertificate, status: Record<string, unknown>): Promise<void> {
    try {
      const written = await kubeRequest<GatewayDomainCertificate | undefined>(
        this.kc,
        `${gdcPath(gdc.metadata.namespace, gdc.metadata.name)}/status`,
        { method: 'PATCH', contentType: MERGE, body: { status } },
      );
      // First, while `gdc` (often the cached object itself) still carries the version it was read at:
      // the listener compares the cache's version with the write's to tell whether the watch delivered it.
      if (written?.metadata?.resourceVersion) this.onWritten?.(written);
      // Update the cached object too, so a reconcile that runs before the watch delivers this write
      // does not act on the status it replaced.
      const next: Record<string, unknown> = { ...gdc.status };
      for (const [k, v] of Object.entries(status)) {
        if (v === null) delete next[k];
        else next[k] = v;
      }
      gdc.status = next as GatewayDomainCertificate['status'];
      if (written?.metadata?.resourceVersion) gdc.metadata.resourceVersion = written.metadata.resourceVersion;
    } catch (err) {
      if (errorCode(err) !== 404) throw err; // deleted meanwhile: nothing left to describe
    }
  }

  async setFinalizer(gdc: GatewayDomainCertificate, present: boolean): Promise<void> {
    const current = gdc.metadata.finalizers ?? [];
    const next = present ? [...new Set([...current, FINALIZER])] : current.filter((f) => f !== FINALIZER);
    // resourceVersion makes this a compare-and-swap: another writer's finalizer is never lost.
    try {
      await kubeRequest(this.kc, gdcPath(gdc.metadata.namespace, gdc.metadata.name), {
        method: 'PATCH',
        contentType: MERGE,
        body: { metadata: { finalizers: next, resourceVersion: gdc.metadata.resourceVersion } },
      });
      gdc.metadata.finalizers = next;
    } catch (err) {
      if (errorCode(err) === 404 && !present) return;
      throw err;
    }
  }
}

/** Reads Secrets on demand: the data is used for one reconcile and dropped, never cached. */
interface ServedSecret {
  type?: string;
  data?: Record<string, string>;
  metadata?: { annotations?: Record<string, string> };
}

/** A Secret as the API serves it (base64 data) → what a reconcile reads, with the watch's digest. */
export function secretRead(obj: unknown): SecretRead {
  const s = obj as ServedSecret;
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) data[k] = Buffer.from(v, 'base64').toString('utf8');
  const annotations = s.metadata?.annotations;
  const digest = secretDataDigest(s.data);
  return { data, digest, ...(s.type ? { type: s.type } : {}), ...(annotations ? { annotations } : {}) };
}

export class KubeSecretSource implements SecretSource {
  private readonly kc: KubeConfig;
  constructor(kc: KubeConfig) {
    this.kc = kc;
  }

  async get(namespace: string, name: string) {
    try {
      return secretRead(await kubeRequest<ServedSecret>(this.kc, secretsPath(namespace, name)));
    } catch (err) {
      if (errorCode(err) === 404) return undefined;
      throw err;
    }
  }
}
