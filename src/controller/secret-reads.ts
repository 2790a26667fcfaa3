// Secret reads a reconcile can do without, each valid only while the Secret watch's digest says the
// Secret is unchanged since: the TLS Secret a watch event just delivered, handed to the reconcile it
// wakes (once — the renewal's critical path then has no Kubernetes read before the gateway call), and
// credentials Secrets read before (they rarely change, and the gateway clients hold them anyway).
// Both are small and bounded: private keys stay in memory only until that reconcile takes them.
import type { SecretRead } from '../reconciler/inputs.ts';

const MAX_HANDOFFS = 64;
const HANDOFF_TTL_MS = 30_000;
const MAX_CREDENTIALS = 64;

export class SecretReads {
  private readonly handoffs = new Map<string, { read: SecretRead; at: number }>();
  private readonly credentials = new Map<string, SecretRead>();

  /** The watch just delivered this Secret (a change a resource waits for). */
  offer(key: string, read: SecretRead, now = Date.now()): void {
    this.handoffs.delete(key);
    this.handoffs.set(key, { read, at: now });
    for (const [k, h] of this.handoffs) {
      if (this.handoffs.size <= MAX_HANDOFFS && now - h.at < HANDOFF_TTL_MS) break; // oldest first
      this.handoffs.delete(k);
    }
  }

  /** What the watch handed over for `key`, once, if it is still the Secret the cache knows. */
  take(key: string, digest: string | undefined, now = Date.now()): SecretRead | undefined {
    const h = this.handoffs.get(key);
    if (!h) return undefined;
    this.handoffs.delete(key);
    return digest !== undefined && h.read.digest === digest && now - h.at < HANDOFF_TTL_MS
      ? h.read
      : undefined;
  }

  /** A credentials Secret as read; served again while the watch's digest is unchanged. */
  rememberCredentials(key: string, read: SecretRead): void {
    this.credentials.delete(key);
    this.credentials.set(key, read);
    if (this.credentials.size > MAX_CREDENTIALS)
      this.credentials.delete(this.credentials.keys().next().value!);
  }

  credentialsFor(key: string, digest: string | undefined): SecretRead | undefined {
    const c = this.credentials.get(key);
    if (c && digest !== undefined && c.digest === digest) return c;
    if (c) this.credentials.delete(key);
    return undefined;
  }
}
