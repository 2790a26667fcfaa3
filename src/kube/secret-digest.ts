// One digest of a Secret's data (its base64 values as the API serves them), computed the same way by
// the watch cache and by a Secret read, so a reconcile can tell "unchanged since the last sync"
// from the cache alone.
import { createHash } from 'node:crypto';

export function secretDataDigest(data: Record<string, string> | undefined): string {
  const h = createHash('sha256');
  for (const k of Object.keys(data ?? {}).sort())
    h.update(k)
      .update('\0')
      .update(data?.[k] ?? '')
      .update('\0');
  return h.digest('hex');
}
