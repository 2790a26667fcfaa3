// Bulkheads: at most `limit` reconciles per gateway endpoint at a time, so resources pointing at an
// endpoint that hangs cannot occupy every worker. A key over its endpoint's share is set aside
// without holding a worker, and queued again when that endpoint frees a slot.

export class EndpointBulkhead {
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, Set<string>>();
  private readonly limit: number;
  private readonly requeue: (key: string) => void;

  constructor(limit: number, requeue: (key: string) => void) {
    this.limit = Math.max(1, limit);
    this.requeue = requeue;
  }

  /** True: run `key` now (call leave() when done). False: it was set aside until a slot frees. */
  tryEnter(endpoint: string, key: string): boolean {
    const n = this.running.get(endpoint) ?? 0;
    if (n >= this.limit) {
      const set = this.waiting.get(endpoint) ?? new Set<string>();
      set.add(key);
      this.waiting.set(endpoint, set);
      return false;
    }
    this.running.set(endpoint, n + 1);
    return true;
  }

  leave(endpoint: string): void {
    const n = (this.running.get(endpoint) ?? 1) - 1;
    if (n > 0) this.running.set(endpoint, n);
    else this.running.delete(endpoint);
    // All of them: one may have been deleted meanwhile; those over the share are set aside again.
    const set = this.waiting.get(endpoint);
    if (!set) return;
    this.waiting.delete(endpoint);
    for (const key of set) this.requeue(key);
  }
}
