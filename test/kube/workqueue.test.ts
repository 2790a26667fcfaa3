import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { WorkQueue, type WorkQueueMetrics } from '../../src/kube/workqueue.ts';
import { waitFor } from '../support/kube.ts';

// Generous bounds, fine polling: these wait for the queue, never time it.
const quick = { timeoutMs: 10_000, intervalMs: 2 };

function recorder() {
  const seen = {
    depth: [] as number[],
    adds: 0,
    retries: 0,
    latencies: [] as number[],
    durations: [] as number[],
  };
  const metrics: WorkQueueMetrics = {
    depth: (n) => seen.depth.push(n),
    add: () => seen.adds++,
    retry: () => seen.retries++,
    queueLatency: (s) => seen.latencies.push(s),
    workDuration: (s) => seen.durations.push(s),
  };
  return { seen, metrics };
}

describe('WorkQueue', () => {
  it('hands out each waiting key once, in FIFO order, however often it was added', async () => {
    const q = new WorkQueue<string>();
    for (const k of ['a', 'b', 'a', 'c', 'b', 'a']) q.add(k);
    expect(q.len()).toBe(3);
    expect([await q.get(), await q.get(), await q.get()]).toEqual(['a', 'b', 'c']);
    expect(q.len()).toBe(0);
  });

  it('never hands one key to two workers at once, and re-runs it after done() if re-added meanwhile', async () => {
    const q = new WorkQueue<string>();
    const active = new Set<string>();
    const runs: string[] = [];
    const gates: Array<() => void> = [];
    let overlaps = 0;
    // Each run waits for the test to release it, so the machine's load cannot reorder anything.
    const workers = q.runWorkers(4, async (key) => {
      if (active.has(key)) overlaps++;
      active.add(key);
      runs.push(key);
      await new Promise<void>((release) => gates.push(release));
      active.delete(key);
    });
    q.add('x');
    await waitFor('x in flight', () => runs.length === 1, quick);
    q.add('x'); // marked dirty, not handed to the three idle workers
    q.add('x');
    q.add('y');
    await waitFor('y in flight', () => runs.length === 2, quick);
    await sleep(50); // room for an idle worker to (wrongly) take x
    expect(runs).toEqual(['x', 'y']);
    for (const release of gates.splice(0)) release();
    await waitFor('x re-run', () => runs.length === 3, quick);
    for (const release of gates.splice(0)) release();
    await sleep(50);
    expect(runs).toEqual(['x', 'y', 'x']); // exactly one re-run for the two re-adds
    expect(overlaps).toBe(0);
    q.shutDown();
    await workers;
  });

  it('keeps many workers busy without ever overlapping a key', async () => {
    const q = new WorkQueue<string>();
    const active = new Set<string>();
    let overlaps = 0;
    let runs = 0;
    const workers = q.runWorkers(8, async (key) => {
      if (active.has(key)) overlaps++;
      active.add(key);
      runs++;
      await sleep(Math.random() * 3);
      active.delete(key);
    });
    for (let i = 0; i < 400; i++) {
      q.add(`k${i % 5}`);
      if (i % 20 === 0) await sleep(1);
    }
    await sleep(30);
    // A generous drain timeout: the check is that it drains (true), not how fast a busy machine does.
    expect(await q.shutDownWithDrain(10_000)).toBe(true);
    await workers;
    expect(overlaps).toBe(0);
    expect(runs).toBeGreaterThanOrEqual(5);
  });

  // Advances fake time 1 ms at a time until the key is queued; returns how long that took.
  async function msUntilQueued(q: WorkQueue<string>): Promise<number> {
    let ms = 0;
    while (q.len() === 0 && ms < 10_000) {
      await vi.advanceTimersByTimeAsync(1);
      ms++;
    }
    await q.get().then((k) => k && q.done(k));
    return ms;
  }

  it('backs off exponentially per key, up to the cap, and forget() resets it', async () => {
    vi.useFakeTimers();
    try {
      const q = new WorkQueue<string>({ baseDelayMs: 5, maxDelayMs: 100 });
      const delays: number[] = [];
      for (let i = 0; i < 7; i++) {
        q.addRateLimited('a');
        delays.push(await msUntilQueued(q));
      }
      expect(delays).toEqual([5, 10, 20, 40, 80, 100, 100]);
      expect(q.numRequeues('a')).toBe(7);
      q.addRateLimited('b'); // per key: b starts at the base delay
      expect(await msUntilQueued(q)).toBe(5);
      q.forget('a');
      expect(q.numRequeues('a')).toBe(0);
      q.addRateLimited('a');
      expect(await msUntilQueued(q)).toBe(5);
    } finally {
      vi.useRealTimers();
    }
  });

  it('defaults to a 5 ms base delay capped at 5 minutes', async () => {
    vi.useFakeTimers();
    try {
      const q = new WorkQueue<string>();
      for (let i = 0; i < 20; i++) {
        q.addRateLimited('a'); // 5 ms · 2^19 is far beyond 5 min
        q.add('a');
        await q.get().then((k) => k && q.done(k));
      }
      q.addRateLimited('a');
      await vi.advanceTimersByTimeAsync(300_000 - 1);
      expect(q.len()).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(q.len()).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('spreads retries with jitter, never above the exponential delay', async () => {
    vi.useFakeTimers();
    try {
      const q = new WorkQueue<string>({ baseDelayMs: 100, jitter: 0.5, random: () => 0.5 });
      q.addRateLimited('a');
      expect(await msUntilQueued(q)).toBe(75);
      q.addRateLimited('a');
      expect(await msUntilQueued(q)).toBe(150);
    } finally {
      vi.useRealTimers();
    }
  });

  it('retries a failing key with growing delays and forgets it once it succeeds', async () => {
    const { seen, metrics } = recorder();
    const q = new WorkQueue<string>({ baseDelayMs: 10, metrics });
    const at: number[] = [];
    const errors: unknown[] = [];
    const start = performance.now();
    const workers = q.runWorkers(
      2,
      async () => {
        at.push(performance.now() - start);
        if (at.length < 4) throw new Error('boom');
      },
      (_key, err) => errors.push(err),
    );
    q.add('a');
    await waitFor('four attempts', () => at.length >= 4, quick);
    await sleep(50); // a fifth attempt would show here
    expect(at).toHaveLength(4);
    // Delays 10, 20, 40 ms between attempts (timers may fire late, never early).
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(9);
    expect(gaps[1]).toBeGreaterThanOrEqual(19);
    expect(gaps[2]).toBeGreaterThanOrEqual(39);
    expect(errors).toHaveLength(3);
    expect(seen.retries).toBe(3);
    expect(q.numRequeues('a')).toBe(0);
    q.shutDown();
    await workers;
    expect(seen.adds).toBe(4);
    expect(seen.durations).toHaveLength(4);
    expect(seen.latencies).toHaveLength(4);
  });

  it('addAfter keeps the earliest time per key; an immediate add wins', async () => {
    const q = new WorkQueue<string>();
    q.addAfter('a', 30);
    q.addAfter('a', 5_000); // must not postpone the 30 ms one
    q.addAfter('b', 5_000);
    q.addAfter('b', 30); // moves b earlier
    q.addAfter('c', 5_000);
    q.add('c'); // now, and the delayed one is dropped
    expect(await q.get()).toBe('c');
    q.done('c');
    const t0 = performance.now();
    const got = new Set([await q.get(), await q.get()]);
    expect(got).toEqual(new Set(['a', 'b']));
    expect(performance.now() - t0).toBeLessThan(2_500); // the 30 ms ones, well before the 5 s ones
    q.done('a');
    q.done('b');
    await sleep(60);
    expect(q.len()).toBe(0); // nothing else fires
    q.shutDown();
    expect(await q.get()).toBeUndefined();
  });

  it('reports depth and queue latency', async () => {
    const { seen, metrics } = recorder();
    const q = new WorkQueue<string>({ metrics });
    q.add('a');
    q.add('b');
    q.add('a');
    await sleep(20);
    await q.get();
    expect(seen.adds).toBe(2);
    expect(seen.depth).toEqual([1, 2, 1]);
    expect(seen.latencies[0]).toBeGreaterThanOrEqual(0.015);
  });

  it('shutDown releases idle workers, drops delayed keys and ignores new adds, but drains queued ones', async () => {
    const q = new WorkQueue<string>();
    const pending = q.get();
    q.add('a');
    expect(await pending).toBe('a');
    q.add('b');
    q.addAfter('c', 10);
    const idle = [q.get(), q.get()];
    expect(await idle[0]).toBe('b');
    q.shutDown();
    expect(await idle[1]).toBeUndefined();
    q.add('d');
    await sleep(20);
    expect(q.len()).toBe(0);
    expect(await q.get()).toBeUndefined();
  });

  it('shutDownWithDrain waits for in-flight work, up to the timeout', async () => {
    const q = new WorkQueue<string>();
    let finished = false;
    const workers = q.runWorkers(2, async () => {
      await sleep(50);
      finished = true;
    });
    q.add('a');
    await sleep(5);
    expect(await q.shutDownWithDrain(10_000)).toBe(true);
    expect(finished).toBe(true);
    await workers;

    const stuck = new WorkQueue<string>();
    stuck.add('a');
    await stuck.get(); // never done()
    const t0 = performance.now();
    expect(await stuck.shutDownWithDrain(30)).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
  });
});
