// One timer for every scheduled key (delayed re-queues, verify rechecks, retry backoffs): a min-heap
// by due time and a single unref'd setTimeout for the earliest. 10,000 resources each waiting for their
// next check cost 10,000 small heap entries, not 10,000 Timeout objects and a timer list per duration.

interface Entry<K> {
  at: number;
  key: K;
}

const MAX_DELAY = 2 ** 31 - 1; // setTimeout's limit (~24.8 days); later keys are re-armed on the way

export class TimerHeap<K> {
  // The authoritative due time per key; heap entries that disagree with it are stale and skipped.
  readonly #due = new Map<K, number>();
  #heap: Entry<K>[] = [];
  #timer: NodeJS.Timeout | undefined;
  #armedFor = Number.POSITIVE_INFINITY;
  readonly #fire: (key: K) => void;
  readonly #now: () => number;

  constructor(fire: (key: K) => void, now: () => number = () => performance.now()) {
    this.#fire = fire;
    this.#now = now;
  }

  get size(): number {
    return this.#due.size;
  }

  /** Due time of `key`, if scheduled. */
  dueAt(key: K): number | undefined {
    return this.#due.get(key);
  }

  /** Fires `key` in `ms`; a key already due earlier keeps its time. Returns whether it moved. */
  scheduleIn(key: K, ms: number): boolean {
    return this.schedule(key, this.#now() + ms);
  }

  /** Fires `key` at `at` (in the clock's ms); a key already due earlier keeps its time. Returns whether it moved. */
  schedule(key: K, at: number): boolean {
    const current = this.#due.get(key);
    if (current !== undefined && current <= at) return false;
    this.#due.set(key, at);
    this.#push({ at, key });
    this.#compact();
    this.#arm();
    return true;
  }

  cancel(key: K): void {
    this.#due.delete(key);
    if (this.#due.size === 0) this.clear();
  }

  clear(): void {
    this.#due.clear();
    this.#heap = [];
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
  }

  #run = (): void => {
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const now = this.#now();
    for (let top = this.#heap[0]; top && top.at <= now; top = this.#heap[0]) {
      this.#pop();
      if (this.#due.get(top.key) !== top.at) continue; // cancelled or rescheduled earlier
      this.#due.delete(top.key);
      this.#fire(top.key);
    }
    this.#arm();
  };

  #arm(): void {
    // Drop stale entries from the top so the timer is set for a key that is really due.
    for (let top = this.#heap[0]; top && this.#due.get(top.key) !== top.at; top = this.#heap[0]) this.#pop();
    const top = this.#heap[0];
    if (!top || top.at >= this.#armedFor) return;
    clearTimeout(this.#timer);
    this.#armedFor = top.at;
    this.#timer = setTimeout(this.#run, Math.min(MAX_DELAY, Math.max(0, top.at - this.#now())));
    this.#timer.unref();
  }

  // Stale entries pile up when keys are rescheduled earlier or cancelled; rebuild when they dominate.
  #compact(): void {
    if (this.#heap.length < 1024 || this.#heap.length < 2 * this.#due.size) return;
    this.#heap = [];
    for (const [key, at] of this.#due) this.#push({ at, key });
  }

  #push(e: Entry<K>): void {
    const h = this.#heap;
    h.push(e);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.at <= e.at) break;
      h[i] = h[parent]!;
      h[parent] = e;
      i = parent;
    }
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l]!.at < h[m]!.at) m = l;
      if (r < h.length && h[r]!.at < h[m]!.at) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
