// Our own status writes, until the watch delivers them. One reconcile may write status twice (the
// intent before a create, the outcome after); the watch event of the first then replaces the cached
// object, and a reconcile reading the cache in that gap would act on a status already superseded
// (e.g. re-adopt after a write it just confirmed). The newest of cache and own write wins.
import type { GatewayDomainCertificate, GatewayDomainCertificateStatus } from '../api/v1alpha1.ts';

const keyOf = (g: GatewayDomainCertificate) => `${g.metadata.namespace}/${g.metadata.name}`;

/** A bridge is needed for milliseconds; this only bounds a watch that stopped delivering. */
const MAX_ENTRIES = 1024;

/** resourceVersions are etcd revisions: compared as integers when they parse, else never "older". */
function older(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) < BigInt(b);
}

interface Written {
  status: GatewayDomainCertificateStatus | undefined;
  resourceVersion: string;
}

export class WrittenStatus {
  private readonly byKey = new Map<string, Written>();
  private readonly cachedVersion: (key: string) => string | undefined;

  /** `cachedVersion`: the resourceVersion the watch cache holds for a key. */
  constructor(cachedVersion: (key: string) => string | undefined) {
    this.cachedVersion = cachedVersion;
  }

  remember(written: GatewayDomainCertificate): void {
    const key = keyOf(written);
    const rv = written.metadata.resourceVersion;
    // The watch often delivers a write before its answer arrives: then there is no gap to bridge, and
    // no later event would ever forget it (every first sync of 3,000 resources left ~1,700 behind).
    if (!rv || !older(this.cachedVersion(key), rv)) return;
    this.byKey.delete(key);
    this.byKey.set(key, { status: written.status, resourceVersion: rv });
    if (this.byKey.size > MAX_ENTRIES) this.byKey.delete(this.byKey.keys().next().value!);
  }

  /** The watch delivered `next`: forget our write once the cache holds it (or something newer). */
  caughtUp(key: string, next: GatewayDomainCertificate | undefined): void {
    const w = this.byKey.get(key);
    if (w && (!next || !older(next.metadata.resourceVersion, w.resourceVersion))) this.byKey.delete(key);
  }

  /** The cached object, with our newer status written over it while the watch lags. */
  newest(key: string, cached: GatewayDomainCertificate): GatewayDomainCertificate {
    const w = this.byKey.get(key);
    if (!w || !older(cached.metadata.resourceVersion, w.resourceVersion)) return cached;
    // Copy the fields into the cached object so later in-place status updates keep working on it.
    cached.status = w.status;
    cached.metadata.resourceVersion = w.resourceVersion;
    return cached;
  }

  /** Writes the watch has not delivered yet. */
  get size(): number {
    return this.byKey.size;
  }
}
