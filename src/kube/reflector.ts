// List + watch of one resource into a small in-memory store, surviving everything a real API server
// does: paginated relists, 410 Gone, any watch or list error (restart with capped backoff), silent
// stalls (no event and no bookmark for stallTimeoutMs → restart), and bookmarks requested so quiet
// watches keep a fresh resourceVersion. The store holds only what `transform` keeps, never whole Secrets.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { type KubeConfig, Watch } from './client-node.ts';
import { errorCode, kubeRequest } from './http.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ReflectorOptions<S> {
  kubeConfig: KubeConfig;
  /** Collection path, e.g. /api/v1/secrets or /apis/g/v1/namespaces/ns/things. */
  path: string;
  fieldSelector?: string;
  labelSelector?: string;
  transform: (obj: KubernetesObject) => S;
  onChange: (type: WatchEventType, key: string, next: S | undefined, prev: S | undefined) => void;
  logger: Logger;
  pageSize?: number;
  stallTimeoutMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
}

interface WatchLine {
  type: WatchEventType | 'BOOKMARK' | 'ERROR';
  object: KubernetesObject & { code?: number; message?: string };
}

interface ListResult {
  metadata?: { resourceVersion?: string; continue?: string };
  items: KubernetesObject[];
}

export function objectKey(obj: KubernetesObject): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name}` : (obj.metadata?.name ?? '');
}

export class Reflector<S> {
  readonly store = new Map<string, S>();
  private resourceVersion = '';
  private stopped = false;
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private failures = 0;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly opts: Required<Omit<ReflectorOptions<S>, 'fieldSelector' | 'labelSelector'>> &
    Pick<ReflectorOptions<S>, 'fieldSelector' | 'labelSelector'>;

  constructor(opts: ReflectorOptions<S>) {
    this.opts = {
      pageSize: 500,
      stallTimeoutMs: 120_000,
      backoffInitialMs: 500,
      backoffMaxMs: 30_000,
      ...opts,
    };
  }

  start(): void {
    this.loop ??= this.run();
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((r) => this.syncWaiters.push(r));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) await this.relist();
        await this.watchOnce();
        this.failures = 0;
      } catch (err) {
        if (this.stopped) break;
        if (errorCode(err) === 410) {
          this.opts.logger.info({ path: this.opts.path }, 'watch expired (410 Gone); relisting');
          this.resourceVersion = '';
          continue;
        }
        this.failures++;
        // A watch that keeps failing may be hiding changes: start over from a fresh list.
        if (this.failures % 5 === 0) this.resourceVersion = '';
        const cap = Math.min(this.opts.backoffMaxMs, this.opts.backoffInitialMs * 2 ** (this.failures - 1));
        const delay = cap / 2 + Math.random() * (cap / 2);
        this.opts.logger.warn(
          { path: this.opts.path, err: String(err), status: errorCode(err), retryInMs: Math.round(delay) },
          'list/watch failed; retrying with backoff',
        );
        await new Promise<void>((r) => {
          this.wake = r;
          setTimeout(r, delay).unref();
        });
      }
    }
  }

  private async relist(): Promise<void> {
    const seen = new Map<string, S>();
    let cont: string | undefined;
    let rv = '';
    do {
      const page: ListResult = await kubeRequest(this.opts.kubeConfig, this.opts.path, {
        query: {
          limit: this.opts.pageSize,
          continue: cont,
          fieldSelector: this.opts.fieldSelector,
          labelSelector: this.opts.labelSelector,
        },
      });
      for (const item of page.items) seen.set(objectKey(item), this.opts.transform(item));
      rv = page.metadata?.resourceVersion ?? rv;
      cont = page.metadata?.continue || undefined;
    } while (cont);
    // Replace the store, emitting the difference so handlers see deletions missed while away.
    for (const [key, prev] of this.store) {
      if (!seen.has(key)) {
        this.store.delete(key);
        this.opts.onChange('DELETED', key, undefined, prev);
      }
    }
    for (const [key, next] of seen) {
      const prev = this.store.get(key);
      this.store.set(key, next);
      this.opts.onChange(prev === undefined ? 'ADDED' : 'MODIFIED', key, next, prev);
    }
    this.resourceVersion = rv;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private watchOnce(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const watch = new Watch(this.opts.kubeConfig);
      // The library's inactivity timer is our stall detector: no event or bookmark → abort → restart.
      // (private in the typings, public at run time since client-node 2.0.1)
      (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs = this.opts.stallTimeoutMs;
      let failed: unknown;
      watch
        .watch(
          this.opts.path,
          {
            allowWatchBookmarks: true,
            resourceVersion: this.resourceVersion,
            // The server ends healthy watches after this; jitter spreads reconnects.
            timeoutSeconds: 240 + Math.floor(Math.random() * 120),
            fieldSelector: this.opts.fieldSelector,
            labelSelector: this.opts.labelSelector,
          },
          (type: string, obj: WatchLine['object']) => {
            try {
              this.handle({ type: type as WatchLine['type'], object: obj });
            } catch (err) {
              failed = err;
              this.abort?.abort();
            }
          },
          (err: unknown) => ((failed ?? err) ? reject(failed ?? err) : resolve()),
        )
        .then((ctrl: AbortController) => {
          this.abort = ctrl;
          if (this.stopped) ctrl.abort();
        }, reject);
    });
  }

  private handle(ev: WatchLine): void {
    const obj = ev.object;
    if (ev.type === 'ERROR') {
      const err = Object.assign(new Error(`watch error: ${obj.message ?? 'unknown'}`), { code: obj.code });
      throw err;
    }
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    this.failures = 0; // a live stream: the next failure starts backing off from the bottom
    if (ev.type === 'BOOKMARK') return;
    const key = objectKey(obj);
    const prev = this.store.get(key);
    if (ev.type === 'DELETED') {
      this.store.delete(key);
      this.opts.onChange('DELETED', key, undefined, prev);
      return;
    }
    const next = this.opts.transform(obj);
    this.store.set(key, next);
    this.opts.onChange(prev === undefined ? 'ADDED' : 'MODIFIED', key, next, prev);
  }
}
