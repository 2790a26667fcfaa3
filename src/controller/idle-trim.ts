// After a burst of reconciles (a first sync, a relist, a wave of renewals) V8 keeps the heap the burst
// grew to: the operator that synced 10,000 resources stayed at ~176 MiB while one started over the same
// caches holds ~123. Once the queue has been quiet for a while after such a burst, memory-reducing full
// collections (at most four passes) give it back (10,000 resources: 170 → 137 MiB, ~0.5 s of CPU, once
// per burst).
// Needs --expose-gc (the Deployment's NODE_OPTIONS); without it this does nothing.

export interface TrimReport {
  reconciles: number;
  rssBefore: number;
  rssAfter: number;
  ms: number;
}

export interface IdleTrimOptions {
  /** Reconciles since the last trim that make a burst worth a trim; default 500. */
  minReconciles?: number;
  /** Quiet time after the last reconcile before trimming; default 30 s. */
  idleMs?: number;
  /** Default: the global gc that --expose-gc installs. */
  gc?: NodeJS.GCFunction | undefined;
  onTrim?: (r: TrimReport) => void;
}

export class IdleTrim {
  readonly #gc: NodeJS.GCFunction | undefined;
  readonly #min: number;
  readonly #idleMs: number;
  readonly #onTrim: ((r: TrimReport) => void) | undefined;
  #count = 0;
  #last = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: IdleTrimOptions = {}) {
    this.#gc = 'gc' in opts ? opts.gc : globalThis.gc;
    this.#min = opts.minReconciles ?? 500;
    this.#idleMs = opts.idleMs ?? 30_000;
    this.#onTrim = opts.onTrim;
  }

  get enabled(): boolean {
    return this.#gc !== undefined;
  }

  /** One reconcile finished. One timer at most, re-armed only when it fires early. */
  reconciled(): void {
    if (!this.#gc) return;
    this.#count++;
    this.#last = performance.now();
    if (this.#count >= this.#min && !this.#timer) this.#arm(this.#idleMs);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#fire(), ms);
    this.#timer.unref();
  }

  #fire(): void {
    this.#timer = undefined;
    const quiet = performance.now() - this.#last;
    if (quiet < this.#idleMs) {
      this.#arm(this.#idleMs - quiet);
      return;
    }
    const rssBefore = process.memoryUsage.rss();
    const started = performance.now();
    // Each pass can free what the previous one's finalisers released: repeat while it pays (≤ 4 passes).
    for (let pass = 0, used = process.memoryUsage().heapUsed; pass < 4; pass++) {
      this.#gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
      const now = process.memoryUsage().heapUsed;
      if (used - now < 1_048_576) break;
      used = now;
    }
    const report = {
      reconciles: this.#count,
      rssBefore,
      rssAfter: process.memoryUsage.rss(),
      ms: performance.now() - started,
    };
    this.#count = 0;
    this.#onTrim?.(report);
  }
}
