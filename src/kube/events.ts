// Kubernetes Events (events.k8s.io/v1) about a resource, aggregated like client-go: the same
// (object, reason, note) within 10 minutes of its last occurrence bumps the series count of the existing
// Event instead of creating a new one. Recording is fire-and-forget: it never throws and never blocks.
import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { withDeadline } from './deadline.ts';
import { KubeApiError, kubeRequest } from './http.ts';

export interface Regarding {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
}

export interface EventRecorderOptions {
  kubeConfig: KubeConfig;
  /** Who reports, e.g. the pod name (at most 128 characters). */
  reportingInstance: string;
  logger: { warn(obj: object, msg: string): void };
  reportingController?: string;
  /** Repeats within this window of the last occurrence are aggregated. Default 10 minutes. */
  windowMs?: number;
  /**
   * Aggregation entries kept, least recently used dropped first. Default 1024: an entry is ~1 KiB, and a
   * first sync of 10,000 resources records 10,000 distinct events that could never aggregate anyway.
   */
  maxCached?: number;
  /** Per request; an event that cannot be written in time is dropped. Default 5 s. */
  timeoutMs?: number;
  /** Events being written at once; beyond this new events are dropped, not queued. Default 256. */
  maxInFlight?: number;
}

type EventType = 'Normal' | 'Warning';

interface Series {
  regarding: Regarding;
  body: Record<string, unknown>; // the Event as first created, without name and times
  name: string;
  count: number;
  firstMs: number;
  lastMs: number;
  created: boolean;
  queued: boolean; // a write is waiting and will carry the latest count: no need for another
  chain: Promise<void>; // writes of one series go out in order
}

/** The API server limits note to 1024 bytes; cut on a UTF-8 character boundary. */
export function truncateNote(note: string, maxBytes = 1024): string {
  const buf = Buffer.from(note);
  if (buf.length <= maxBytes) return note;
  let end = maxBytes;
  while (end > 0 && ((buf[end] ?? 0) & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export class EventRecorder {
  readonly #o: Required<EventRecorderOptions>;
  readonly #series = new Map<string, Series>(); // insertion order = least recently used first
  readonly #pending = new Set<Promise<void>>();

  constructor(opts: EventRecorderOptions) {
    this.#o = {
      reportingController: 'apig-cert-sync.io/controller',
      windowMs: 600_000,
      maxCached: 1024,
      timeoutMs: 5_000,
      maxInFlight: 256,
      ...opts,
    };
  }

  /** Records an event about `obj` in the background. Never throws; failures are logged and dropped. */
  event(obj: Regarding, type: EventType, reason: string, action: string, note: string): void {
    try {
      const text = truncateNote(note);
      // Without a uid, fall back to the object's identity so distinct objects never share a series.
      const key = [obj.uid || `${obj.namespace}/${obj.kind}/${obj.name}`, reason, text].join('\0');
      const now = Date.now();
      this.#expire(now);
      let s = this.#series.get(key);
      this.#series.delete(key);
      if (s && now - s.lastMs < this.#o.windowMs) {
        s.count++;
        s.lastMs = now;
      } else {
        s = this.#newSeries(obj, type, reason, action, text, now);
      }
      this.#series.set(key, s);
      if (this.#series.size > this.#o.maxCached) this.#series.delete(this.#series.keys().next().value!);
      this.#schedule(s, reason);
    } catch (err) {
      this.#o.logger.warn({ err: String(err), reason }, 'could not record event');
    }
  }

  // Series past the window can only start over: drop them (least recently used first, so from the front)
  // on the next event, rather than keep up to maxCached of them until the LRU bound pushes them out.
  #expire(now: number): void {
    for (const [key, s] of this.#series) {
      if (now - s.lastMs < this.#o.windowMs || s.queued) break;
      this.#series.delete(key);
    }
  }

  /** Resolves once every event recorded so far was written or dropped (for tests and shutdown). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #newSeries(
    obj: Regarding,
    type: EventType,
    reason: string,
    action: string,
    note: string,
    now: number,
  ): Series {
    const body = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      reportingController: this.#o.reportingController,
      reportingInstance: this.#o.reportingInstance,
      regarding: obj, // shared with the series, never changed
      type,
      reason,
      action,
      note,
    };
    const chain = Promise.resolve();
    return {
      regarding: obj,
      body,
      name: '',
      count: 1,
      firstMs: now,
      lastMs: now,
      created: false,
      queued: false,
      chain,
    };
  }

  #schedule(s: Series, reason: string): void {
    if (s.queued) return;
    if (this.#pending.size >= this.#o.maxInFlight) {
      this.#o.logger.warn({ reason, inFlight: this.#pending.size }, 'dropping event: too many being written');
      return;
    }
    s.queued = true;
    const write = s.chain
      .then(() => {
        s.queued = false;
        return this.#write(s);
      })
      .catch((err) => {
        const code = err instanceof KubeApiError ? err.code : undefined;
        this.#o.logger.warn({ reason, code, err: String(err) }, 'could not record event');
      });
    s.chain = write;
    this.#pending.add(write);
    void write.finally(() => this.#pending.delete(write));
  }

  #write(s: Series): Promise<void> {
    return withDeadline(this.#o.timeoutMs, undefined, (signal) => this.#writeWithin(s, signal));
  }

  async #writeWithin(s: Series, signal: AbortSignal): Promise<void> {
    const { name, namespace } = s.regarding;
    const base = `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/events`;
    if (s.created) {
      const series = { count: s.count, lastObservedTime: microTime(s.lastMs) };
      try {
        await kubeRequest(this.#o.kubeConfig, `${base}/${s.name}`, {
          method: 'PATCH',
          contentType: 'application/merge-patch+json',
          body: { series },
          signal,
        });
        return;
      } catch (err) {
        // The Event expired (its TTL is an hour) or was deleted: start it again.
        if (!(err instanceof KubeApiError && err.code === 404)) throw err;
        s.created = false;
      }
    }
    // Several repeats may have happened while the first write was pending: create them as a series.
    s.name = `${name.slice(0, 200)}.${randomBytes(8).toString('hex')}`;
    const series = s.count > 1 ? { count: s.count, lastObservedTime: microTime(s.lastMs) } : undefined;
    await kubeRequest(this.#o.kubeConfig, base, {
      method: 'POST',
      body: { ...s.body, metadata: { name: s.name, namespace }, eventTime: microTime(s.firstMs), series },
      signal,
    });
    s.created = true;
  }
}
