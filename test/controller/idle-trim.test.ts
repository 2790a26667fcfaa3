// After a burst of reconciles and a quiet spell the operator hands back the heap the burst grew to:
// once per burst, never while work goes on, and not at all without --expose-gc.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { IdleTrim, type TrimReport } from '../../src/controller/idle-trim.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function counting(opts: { minReconciles: number; idleMs: number }) {
  const calls: unknown[] = [];
  const reports: TrimReport[] = [];
  const trim = new IdleTrim({
    ...opts,
    gc: ((o: unknown) => {
      calls.push(o);
    }) as unknown as NodeJS.GCFunction,
    onTrim: (r) => reports.push(r),
  });
  return { trim, calls, reports };
}

describe('IdleTrim', () => {
  it('collects once after a burst has gone quiet, with a memory-reducing full collection', async () => {
    const { trim, calls, reports } = counting({ minReconciles: 5, idleMs: 20 });
    for (let i = 0; i < 7; i++) trim.reconciled();
    while (reports.length === 0) await sleep(10);
    // The fake frees nothing: one pass, no repeats.
    expect(calls).toEqual([{ type: 'major', execution: 'sync', flavor: 'last-resort' }]);
    expect(reports[0]).toMatchObject({ reconciles: 7 });
    // Quiet afterwards: nothing more, however long.
    await sleep(150);
    expect(calls).toHaveLength(1);
    // The next burst is counted afresh.
    for (let i = 0; i < 5; i++) trim.reconciled();
    while (reports.length === 1) await sleep(10);
    expect(reports[1]).toMatchObject({ reconciles: 5 });
    trim.stop();
  });

  it('does nothing after a few reconciles, while reconciles keep coming, or after stop()', async () => {
    const few = counting({ minReconciles: 5, idleMs: 20 });
    for (let i = 0; i < 4; i++) few.trim.reconciled();
    const busy = counting({ minReconciles: 5, idleMs: 1000 });
    const stopped = counting({ minReconciles: 1, idleMs: 20 });
    stopped.trim.reconciled();
    stopped.trim.stop();
    // A reconcile every 10 ms for ~300 ms: never a second of quiet.
    for (let t = 0; t < 30; t++) {
      busy.trim.reconciled();
      await sleep(10);
    }
    expect(busy.calls).toHaveLength(0);
    await sleep(100);
    expect(few.calls).toHaveLength(0);
    expect(stopped.calls).toHaveLength(0);
    busy.trim.stop();
  });

  it('is off without --expose-gc', () => {
    expect(new IdleTrim({ gc: undefined }).enabled).toBe(false);
    if (!globalThis.gc) expect(new IdleTrim().enabled).toBe(false);
  });

  it('gives back the heap a burst grew to (real V8, --expose-gc)', async () => {
    const mod = pathToFileURL(resolve(import.meta.dirname, '../../src/controller/idle-trim.ts')).href;
    const script = `
      const { IdleTrim } = await import(${JSON.stringify(mod)});
      let burst = [];
      for (let i = 0; i < 300000; i++) burst.push({ name: 'resource-' + i, data: 'x'.repeat(40) + i });
      burst = null;
      const before = process.memoryUsage().heapTotal;
      const alive = setInterval(() => {}, 1000); // the trim's timer is unref'd, as in the operator
      const report = await new Promise((done) => {
        const trim = new IdleTrim({ minReconciles: 10, idleMs: 50, onTrim: done });
        for (let i = 0; i < 10; i++) trim.reconciled();
      });
      clearInterval(alive);
      console.log(JSON.stringify({ before, after: process.memoryUsage().heapTotal, report }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--expose-gc',
      '--input-type=module',
      '-e',
      script,
    ]);
    const r = JSON.parse(stdout.trim());
    expect(r.report.reconciles).toBe(10);
    expect(r.after).toBeLessThan(r.before * 0.6);
  }, 30_000);
});
