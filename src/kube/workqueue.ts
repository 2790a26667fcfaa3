// A rate-limited delaying work queue with client-go's semantics: a key waits at most once, is handed to at
// most one worker at a time, and a key re-added while it is being processed runs again after done().
import { performance } from 'node:perf_hooks';
import { TimerHeap } from './timer-heap.ts';

/**
 * Hooks for workqueue_* metrics. depth: keys waiting to be handed out, after each change; add: a key entered
 * the queue (re-adds of a key already waiting do not count); retry: addRateLimited was called; queueLatency:
 * seconds from add to get(); workDuration: seconds from get() to done().
 */
export interface WorkQueueMetrics {
  depth(n: number): void;
  add(): void;
  retry(): void;
  queueLatency(seconds: number): void;
  workDuration(seconds: number): void;
}

export interface WorkQueueOptions {
  /** First retry delay of addRateLimited; doubles per failure. Default 5 ms. */
  baseDelayMs?: number;
  /** Upper bound of the retry delay. Default 5 minutes. */
  maxDelayMs?: number;
  /** Fraction 0..1: each retry delay is shortened by up to this share at random, so failures spread out. */
  jitter?: number;
  metrics?: WorkQueueMetrics;
  /** For tests. */
  random?: () => number;
}

export class WorkQueue<K extends string> {
  // Insertion-ordered Set: FIFO order and de-duplication in one structure.
  readonly #queue = new Set<K>();
  readonly #dirty = new Set<K>();
  readonly #processing = new Map<K, number>(); // key → performance.now() when handed out
  readonly #addedAt = new Map<K, number>();
  // Delayed adds: one timer for all keys, not one per key.
  readonly #waiting = new TimerHeap<K>((key) => this.add(key));
  readonly #failures = new Map<K, number>();
  readonly #getters: Array<(key: K | undefined) => void> = [];
  readonly #drainers: Array<() => void> = [];
  #shuttingDown = false;
  readonly #backoff: { baseMs: number; maxMs: number; jitter: number; random: () => number };
  readonly #metrics: WorkQueueMetrics | undefined;

  constructor(opts: WorkQueueOptions = {}) {
    this.#backoff = {
      baseMs: opts.baseDelayMs ?? 5,
      maxMs: opts.maxDelayMs ?? 5 * 60_000,
      jitter: Math.min(Math.max(opts.jitter ?? 0, 0), 1),
      random: opts.random ?? Math.random,
    };
    this.#metrics = opts.metrics;
  }

  /** Queues `key` now. An immediate add supersedes any delayed add of the same key. */
  add(key: K): void {
    if (this.#shuttingDown) return;
    this.#waiting.cancel(key);
    if (this.#dirty.has(key)) return;
    this.#dirty.add(key);
    this.#metrics?.add();
    if (!this.#addedAt.has(key)) this.#addedAt.set(key, performance.now());
    // Being processed: it is queued again by done(), never handed to a second worker meanwhile.
    if (this.#processing.has(key)) return;
    this.#enqueue(key);
  }

  /** Queues `key` after `ms`. Only the earliest pending time per key counts; a later one never postpones it. */
  addAfter(key: K, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    this.#waiting.scheduleIn(key, ms);
  }

  /** Queues `key` after its per-key exponential backoff: base · 2^failures, capped, with optional jitter. */
  addRateLimited(key: K): void {
    if (this.#shuttingDown) return;
    this.#metrics?.retry();
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    const { baseMs, maxMs, jitter, random } = this.#backoff;
    this.addAfter(key, Math.min(baseMs * 2 ** failures, maxMs) * (1 - jitter * random()));
  }

  /** Resets the failure count of `key`, so its next addRateLimited waits the base delay again. */
  forget(key: K): void {
    this.#failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Number of keys waiting to be handed out (not counting delayed or in-flight keys). */
  len(): number {
    return this.#queue.size;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** The next key to process; waits for one. `undefined` once the queue is shut down and drained. */
  get(): Promise<K | undefined> {
    const key = this.#pop();
    if (key !== undefined || this.#shuttingDown) return Promise.resolve(key);
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  /** Marks `key` processed; if it was re-added meanwhile it is queued again now. */
  done(key: K): void {
    const started = this.#processing.get(key);
    if (started === undefined) return;
    this.#processing.delete(key);
    this.#metrics?.workDuration((performance.now() - started) / 1000);
    if (this.#dirty.has(key)) this.#enqueue(key);
    if (this.#processing.size === 0) {
      for (const resolve of this.#drainers.splice(0)) resolve();
    }
  }

  /** Stops accepting keys and drops delayed ones; waiting get() calls return undefined once the queue is empty. */
  shutDown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    this.#waiting.clear();
    this.#wake();
  }

  /** shutDown, then waits until no key is being processed or `timeoutMs` passed. Resolves true if drained. */
  shutDownWithDrain(timeoutMs: number): Promise<boolean> {
    this.shutDown();
    if (this.#processing.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#drainers.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /**
   * Runs `n` workers until the queue is shut down and drained. A key whose handler resolves is forgotten
   * (its backoff resets); a key whose handler throws is re-queued with addRateLimited and `onError` is told.
   */
  async runWorkers(
    n: number,
    handler: (key: K) => Promise<void>,
    onError?: (key: K, err: unknown) => void,
  ): Promise<void> {
    const worker = async (): Promise<void> => {
      for (let key = await this.get(); key !== undefined; key = await this.get()) {
        try {
          await handler(key);
          this.forget(key);
        } catch (err) {
          onError?.(key, err);
          this.addRateLimited(key);
        } finally {
          this.done(key);
        }
      }
    };
    await Promise.all(Array.from({ length: n }, worker));
  }

  #enqueue(key: K): void {
    this.#queue.add(key);
    this.#metrics?.depth(this.#queue.size);
    this.#wake();
  }

  #pop(): K | undefined {
    const first = this.#queue.values().next();
    if (first.done) return undefined;
    const key = first.value;
    this.#queue.delete(key);
    this.#dirty.delete(key);
    const now = performance.now();
    this.#processing.set(key, now);
    this.#metrics?.depth(this.#queue.size);
    const added = this.#addedAt.get(key);
    this.#addedAt.delete(key);
    if (added !== undefined) this.#metrics?.queueLatency((now - added) / 1000);
    return key;
  }

  // Hands queued keys to waiting get() calls; after shutdown, an empty queue releases them with undefined.
  #wake(): void {
    while (this.#getters.length > 0) {
      const key = this.#pop();
      if (key === undefined && !this.#shuttingDown) return;
      this.#getters.shift()!(key);
    }
  }
}
