// Bulkheads: at most `limit` reconciles per gateway endpoint at a time, so resources pointing at an
// endpoint that hangs cannot occupy every worker. A key over its endpoint's share is set aside
// without holding a worker, and queued again when that endpoint frees a slot. An endpoint proven
// fast (its last reconcile ended within `fastMs` and none of its reconciles has been running longer)
// may borrow more workers: with a single healthy endpoint, every worker stays useful.

export interface BulkheadOptions {
  limit: number;
  requeue: (key: string) => void;
  /** Default 2 s. */
  fastMs?: number;
  now?: () => number;
}

export class EndpointBulkhead {
  private readonly running = new Map<string, Map<string, number>>(); // endpoint → key → started
  private readonly lastMs = new Map<string, number>();
  private readonly waiting = new Map<string, Set<string>>();
  private readonly o: Required<BulkheadOptions>;

  constructor(opts: BulkheadOptions) {
    this.o = { fastMs: 2_000, now: () => performance.now(), ...opts, limit: Math.max(1, opts.limit) };
  }

  /** True: run `key` now (call leave() when done). False: it was set aside until a slot frees. */
  tryEnter(endpoint: string, key: string): boolean {
    const now = this.o.now();
    const inFlight = this.running.get(endpoint) ?? new Map<string, number>();
    if (inFlight.size >= this.o.limit && !this.provenFast(endpoint, inFlight, now)) {
      const set = this.waiting.get(endpoint) ?? new Set<string>();
      set.add(key);
      this.waiting.set(endpoint, set);
      return false;
    }
    inFlight.set(key, now);
    this.running.set(endpoint, inFlight);
    return true;
  }

  leave(endpoint: string, key: string): void {
    const inFlight = this.running.get(endpoint);
    const started = inFlight?.get(key);
    if (started !== undefined) this.lastMs.set(endpoint, this.o.now() - started);
    inFlight?.delete(key);
    if (inFlight?.size === 0) this.running.delete(endpoint);
    // All of them: one may have been deleted meanwhile; those over the share are set aside again.
    const set = this.waiting.get(endpoint);
    if (!set) return;
    this.waiting.delete(endpoint);
    for (const k of set) this.o.requeue(k);
  }

  private provenFast(endpoint: string, inFlight: Map<string, number>, now: number): boolean {
    const last = this.lastMs.get(endpoint);
    if (last === undefined || last > this.o.fastMs) return false;
    for (const started of inFlight.values()) if (now - started > this.o.fastMs) return false;
    return true;
  }
}
