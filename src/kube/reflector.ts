// List + watch of one resource into a small in-memory store, surviving everything a real API server
// does: paginated relists, 410 Gone, any watch or list error (restart with capped backoff, reset by
// the next success), silent stalls (short server-side watch timeouts with bookmarks; a stream that
// outlives its deadline by graceMs is restarted from its resourceVersion, losing no event). The store
// holds only what `transform` keeps, never whole Secrets.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KubeConfig } from './client-node.ts';
import { withDeadline } from './deadline.ts';
import { errorCode, kubeRequest } from './http.ts';
import { dropConnection, type WatchConnection, watchStream } from './watch-stream.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ReflectorOptions<S> {
  kubeConfig: KubeConfig;
  /** Collection path, e.g. /api/v1/secrets or /apis/g/v1/namespaces/ns/things. */
  path: string;
  fieldSelector?: string;
  labelSelector?: string;
  transform: (obj: KubernetesObject) => S;
  /** `raw` is the object as a watch event delivered it (not on relists): use it now, never keep it whole. */
  onChange: (
    type: WatchEventType,
    key: string,
    next: S | undefined,
    prev: S | undefined,
    raw?: KubernetesObject,
  ) => void;
  logger: Logger;
  pageSize?: number;
  /**
   * List and watch metadata only (PartialObjectMetadata: no data, no spec): `transform` sees
   * `{ metadata }`. For objects only a change matters of, where their contents would be megabytes.
   */
  metadataOnly?: boolean;
  /** Server-side watch timeout, randomised in [t, 1.5 t) to spread reconnects. Default 20 s. */
  watchTimeoutSeconds?: number;
  /** Silence tolerated beyond the server's deadline before the stream counts as stalled. Default 8 s. */
  stallGraceMs?: number;
  /** How long a list page or a watch may take to answer. Default 10 s. */
  firstByteMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Consecutive list/watch failures after which healthy() is false (readiness). Default 3. */
  unhealthyAfterFailures?: number;
  /**
   * A resource the operator can live without (another project's CRD): a 404 (not installed) or 403
   * (not granted) is logged once, leaves the store empty but synced and healthy, and is tried again
   * every recheckMs instead of backing off as a failure.
   */
  optional?: { recheckMs: number };
}

interface WatchLine {
  type: WatchEventType | 'BOOKMARK' | 'ERROR';
  object: KubernetesObject & { code?: number; message?: string };
}

interface ListResult {
  metadata?: { resourceVersion?: string; continue?: string };
  items: KubernetesObject[] | null; // null in an empty PartialObjectMetadataList
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
  // Failures since a watch last opened: a list that works beside a watch that never does (RBAC
  // without `watch`) resets the backoff but not this, so readiness does not flap.
  private sinceLive = 0;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  /** Kept from one watch to the next (see watch-stream.ts). */
  private readonly watchConnection: WatchConnection = {};
  private wake: (() => void) | undefined;
  // Set while an optional resource answers 404/403: the status code, so a change of cause is logged.
  private absent: number | undefined;
  private readonly opts: Required<Omit<ReflectorOptions<S>, 'fieldSelector' | 'labelSelector' | 'optional'>> &
    Pick<ReflectorOptions<S>, 'fieldSelector' | 'labelSelector' | 'optional'>;
  private readonly accept: { list: string; watch: string };

  constructor(opts: ReflectorOptions<S>) {
    this.opts = {
      pageSize: 500,
      watchTimeoutSeconds: 20,
      stallGraceMs: 8_000,
      firstByteMs: 10_000,
      backoffInitialMs: 500,
      backoffMaxMs: 30_000,
      unhealthyAfterFailures: 3,
      metadataOnly: false,
      ...opts,
    };
    const meta = (as: string) => `application/json;as=${as};g=meta.k8s.io;v=v1,application/json`;
    this.accept = this.opts.metadataOnly
      ? { list: meta('PartialObjectMetadataList'), watch: meta('PartialObjectMetadata') }
      : { list: 'application/json', watch: 'application/json' };
  }

  start(): void {
    this.loop ??= this.run();
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Synced once and not failing repeatedly right now: what /readyz reports. */
  healthy(): boolean {
    if (this.absent !== undefined) return true;
    return this.synced && this.sinceLive < this.opts.unhealthyAfterFailures;
  }

  /** An optional resource that is not installed or not granted right now. */
  unavailable(): boolean {
    return this.absent !== undefined;
  }

  waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((r) => this.syncWaiters.push(r));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.wake?.();
    await this.loop;
    dropConnection(this.watchConnection);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) await this.relist();
        await this.watchOnce();
      } catch (err) {
        if (this.stopped) break;
        if (errorCode(err) === 410) {
          this.opts.logger.info({ path: this.opts.path }, 'watch expired (410 Gone); relisting');
          this.resourceVersion = '';
          continue;
        }
        const code = errorCode(err);
        if (this.opts.optional && (code === 404 || code === 403)) {
          await this.markAbsent(code, err);
          continue;
        }
        this.failures++;
        this.sinceLive++;
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

  /** Not installed (404) or not granted (403): empty, synced and healthy until a recheck lists it. */
  private async markAbsent(code: number, err: unknown): Promise<void> {
    const { path, optional } = this.opts;
    if (this.absent !== code) {
      this.opts.logger.info(
        { path, status: code, err: String(err), recheckInMs: optional?.recheckMs },
        code === 404
          ? 'optional resource not installed; working without it, checking again later'
          : 'optional resource not permitted (RBAC); working without it, checking again later',
      );
    }
    this.absent = code;
    this.failures = 0;
    this.sinceLive = 0;
    this.resourceVersion = '';
    // What it held is no longer known to be true: handlers see it go (a CRD removed, a rule revoked).
    for (const [key, prev] of this.store) {
      this.store.delete(key);
      this.opts.onChange('DELETED', key, undefined, prev);
    }
    this.markSynced();
    await new Promise<void>((r) => {
      this.wake = r;
      setTimeout(r, optional?.recheckMs ?? 300_000).unref();
    });
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    for (const w of this.syncWaiters.splice(0)) w();
  }

  private async relist(): Promise<void> {
    const seen = new Map<string, S>();
    let cont: string | undefined;
    let rv = '';
    do {
      const page: ListResult = await withDeadline(this.opts.firstByteMs, this.abort.signal, (signal) =>
        kubeRequest(this.opts.kubeConfig, this.opts.path, {
          query: {
            limit: this.opts.pageSize,
            continue: cont,
            fieldSelector: this.opts.fieldSelector,
            labelSelector: this.opts.labelSelector,
          },
          accept: this.accept.list,
          signal,
        }),
      );
      for (const item of page.items ?? []) seen.set(objectKey(item), this.opts.transform(item));
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
    this.failures = 0; // a fresh list: the next failure backs off from the bottom again
    this.markSynced();
  }

  private watchOnce(): Promise<void> {
    const t = this.opts.watchTimeoutSeconds;
    return watchStream(this.opts.kubeConfig, {
      path: this.opts.path,
      query: {
        allowWatchBookmarks: true,
        resourceVersion: this.resourceVersion,
        fieldSelector: this.opts.fieldSelector,
        labelSelector: this.opts.labelSelector,
      },
      timeoutSeconds: t + Math.floor(Math.random() * (t / 2)),
      accept: this.accept.watch,
      firstByteMs: this.opts.firstByteMs,
      graceMs: this.opts.stallGraceMs,
      signal: this.abort.signal,
      connection: this.watchConnection,
      onOpen: () => {
        this.failures = 0; // a live stream: the next failure starts backing off from the bottom
        this.sinceLive = 0;
        // Cleared only once watching works: a list granted beside a watch refused logs once, not per recheck.
        if (this.absent !== undefined) {
          this.opts.logger.info({ path: this.opts.path }, 'optional resource available; watching it');
          this.absent = undefined;
        }
      },
      onEvent: (type, object) => this.handle({ type, object } as WatchLine),
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
    this.opts.onChange(prev === undefined ? 'ADDED' : 'MODIFIED', key, next, prev, obj);
  }
}
