// Our own status writes, until the watch delivers them. One reconcile may write status twice (the
// intent before a create, the outcome after); the watch event of the first then replaces the cached
// object, and a reconcile reading the cache in that gap would act on a status already superseded
// (e.g. re-adopt after a write it just confirmed). The newest of cache and own write wins.
import type { GatewayDomainCertificate } from '../api/v1alpha1.ts';

const keyOf = (g: GatewayDomainCertificate) => `${g.metadata.namespace}/${g.metadata.name}`;

/** resourceVersions are etcd revisions: compared as integers when they parse, else never "older". */
function older(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) < BigInt(b);
}

export class WrittenStatus {
  private readonly byKey = new Map<string, GatewayDomainCertificate>();

  remember(written: GatewayDomainCertificate): void {
    this.byKey.set(keyOf(written), written);
  }

  /** The watch delivered `next`: forget our write once the cache holds it (or something newer). */
  caughtUp(key: string, next: GatewayDomainCertificate | undefined): void {
    const w = this.byKey.get(key);
    if (w && (!next || !older(next.metadata.resourceVersion, w.metadata.resourceVersion)))
      this.byKey.delete(key);
  }

  /** The cached object, with our newer status written over it while the watch lags. */
  newest(key: string, cached: GatewayDomainCertificate): GatewayDomainCertificate {
    const w = this.byKey.get(key);
    if (!w || !older(cached.metadata.resourceVersion, w.metadata.resourceVersion)) return cached;
    // Copy the fields into the cached object so later in-place status updates keep working on it.
    cached.status = w.status;
    cached.metadata.resourceVersion = w.metadata.resourceVersion;
    return cached;
  }
}
