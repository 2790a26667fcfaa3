import { afterEach, describe, expect, it, vi } from 'vitest';
import { TimerHeap } from '../../src/kube/timer-heap.ts';
import { WorkQueue } from '../../src/kube/workqueue.ts';

describe('TimerHeap: one timer for all scheduled keys', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('10,000 delayed keys in a work queue set one timer, and each is queued at its own time', async () => {
    vi.useFakeTimers();
    const q = new WorkQueue<string>();
    const armed = vi.spyOn(globalThis, 'setTimeout');
    for (let i = 0; i < 10_000; i++) q.addAfter(`k${i}`, 60_000 + 10 * ((i * 7919) % 10_000));
    // Only a key due before every other one re-arms the timer: a handful, not 10,000.
    expect(armed.mock.calls.length).toBeLessThan(20);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000 + 10 * 4999);
    expect(q.len()).toBe(5000);
    await vi.advanceTimersByTimeAsync(10 * 5000);
    expect(q.len()).toBe(10_000);
    q.shutDown();
  });

  it('fires keys in due order; the earliest time per key wins; cancel and clear drop keys', async () => {
    vi.useFakeTimers();
    const fired: string[] = [];
    const h = new TimerHeap<string>((k) => fired.push(k));
    h.scheduleIn('c', 30);
    h.scheduleIn('a', 10);
    h.scheduleIn('b', 20);
    expect(h.scheduleIn('a', 50)).toBe(false); // later: a keeps 10 ms
    expect(h.scheduleIn('c', 5)).toBe(true); // earlier: c moves to 5 ms
    h.scheduleIn('d', 15);
    h.cancel('d');
    await vi.advanceTimersByTimeAsync(9);
    expect(fired).toEqual(['c']);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual(['c', 'a']);
    await vi.advanceTimersByTimeAsync(100);
    expect(fired).toEqual(['c', 'a', 'b']); // d was cancelled, c fired once
    expect(h.size).toBe(0);
    h.scheduleIn('e', 10);
    h.clear();
    await vi.advanceTimersByTimeAsync(100);
    expect(fired).toHaveLength(3);
  });

  it('keeps order across many reschedules (stale entries are compacted away)', async () => {
    vi.useFakeTimers();
    const fired: number[] = [];
    const h = new TimerHeap<number>((k) => fired.push(k));
    for (let round = 0; round < 5; round++)
      for (let k = 0; k < 2000; k++) h.scheduleIn(k, 100_000 - round * 1000 - k); // each time earlier
    expect(h.size).toBe(2000);
    await vi.advanceTimersByTimeAsync(100_000);
    expect(fired).toHaveLength(2000);
    expect(fired).toEqual([...fired].sort((a, b) => b - a)); // k = 1999 was due first
  });

  it('a delay beyond setTimeout’s 24.8-day limit still fires, later', async () => {
    vi.useFakeTimers();
    const fired: string[] = [];
    const h = new TimerHeap<string>((k) => fired.push(k));
    h.scheduleIn('far', 30 * 86_400_000);
    await vi.advanceTimersByTimeAsync(25 * 86_400_000);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(5 * 86_400_000);
    expect(fired).toEqual(['far']);
  });
});
