// The bulkhead's rule on its own (fake clock): an endpoint gets its share of workers; one proven fast
// may borrow more; a slow or unknown one may not, and what it set aside comes back when a slot frees.
import { describe, expect, it } from 'vitest';
import { EndpointBulkhead } from '../../src/controller/bulkhead.ts';

function setup() {
  let now = 0;
  const requeued: string[] = [];
  const b = new EndpointBulkhead({ limit: 2, requeue: (k) => requeued.push(k), now: () => now });
  return { b, requeued, tick: (ms: number) => (now += ms) };
}

describe('EndpointBulkhead', () => {
  it('an unknown endpoint gets its share; the rest is set aside and requeued when a slot frees', () => {
    const { b, requeued } = setup();
    expect(b.tryEnter('dead', 'a')).toBe(true);
    expect(b.tryEnter('dead', 'b')).toBe(true);
    expect(b.tryEnter('dead', 'c')).toBe(false);
    expect(b.tryEnter('healthy', 'h')).toBe(true); // other endpoints are not affected
    b.leave('dead', 'a');
    expect(requeued).toEqual(['c']);
  });

  it('an endpoint whose reconciles are fast may borrow workers, until one of them runs slow', () => {
    const { b, tick } = setup();
    expect(b.tryEnter('ep', 'a')).toBe(true);
    tick(100);
    b.leave('ep', 'a'); // proven fast
    expect(b.tryEnter('ep', 'b')).toBe(true);
    expect(b.tryEnter('ep', 'c')).toBe(true);
    expect(b.tryEnter('ep', 'd')).toBe(true); // borrowed
    tick(3_000); // b, c, d now hang
    expect(b.tryEnter('ep', 'e')).toBe(false);
    b.leave('ep', 'b'); // took 3 s: no longer proven fast
    b.leave('ep', 'c');
    expect(b.tryEnter('ep', 'f')).toBe(true); // within the share again
    expect(b.tryEnter('ep', 'g')).toBe(false);
  });
});
