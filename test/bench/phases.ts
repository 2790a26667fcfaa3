// The waits the benchmark times: every resource Ready, every resource reconciled once after a
// restart, and one renewal from Secret update to the verified serial in status.
import type { Emulator } from '../emulator/server.ts';
import type { TestCA } from '../support/pki.ts';
import { metricSum, type OperatorProcess } from './operator-process.ts';
import { getResource, isReady, type Kube, listResources, renewTlsSecret } from './resources.ts';
import type { BenchDomain } from './seed.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r  ${text}   `);
  else process.stderr.write(`  ${text}\n`);
}

/** Lists the resources every 500 ms until `n` are Ready=True; ms from `since` (performance.now()). */
export async function waitAllReady(
  k: Kube,
  op: OperatorProcess,
  n: number,
  since: number,
  timeoutMs: number,
): Promise<number> {
  let lastShown = 0;
  for (;;) {
    const items = await listResources(k);
    const ready = items.filter(isReady).length;
    const elapsed = performance.now() - since;
    if (ready >= n) {
      if (process.stderr.isTTY) process.stderr.write('\n');
      return elapsed;
    }
    if (elapsed - lastShown > 10_000) {
      lastShown = elapsed;
      progress(`${ready}/${n} Ready after ${Math.round(elapsed / 1000)} s`);
    }
    if (elapsed > timeoutMs) {
      const reasons = new Map<string, number>();
      for (const g of items.filter((x) => !isReady(x))) {
        const r = g.status?.conditions?.find((c) => c.type === 'Ready')?.reason ?? 'no status';
        reasons.set(r, (reasons.get(r) ?? 0) + 1);
      }
      throw new Error(
        `only ${ready}/${n} Ready after ${Math.round(elapsed / 1000)} s; not ready by reason: ${JSON.stringify(Object.fromEntries(reasons))}\noperator log tail:\n${op.logTail()}`,
      );
    }
    await sleep(500);
  }
}

/** Polls /metrics until controller_runtime_reconcile_total sums to ≥ n; ms from `since`. */
export async function waitReconciled(
  op: OperatorProcess,
  n: number,
  since: number,
  timeoutMs: number,
): Promise<number> {
  for (;;) {
    const total = metricSum(await op.metricsText(), 'controller_runtime_reconcile_total');
    const elapsed = performance.now() - since;
    if (total >= n) return elapsed;
    if (elapsed > timeoutMs)
      throw new Error(`only ${total}/${n} reconciles after ${Math.round(elapsed / 1000)} s\n${op.logTail()}`);
    await sleep(100);
  }
}

export interface Renewal {
  ms: number;
  counts: Record<string, number>;
  total: number;
  writes: number;
}

/**
 * Renews resource i: replaces its TLS Secret, polls the resource every 10 ms until status shows the new
 * serial (written only after the gateway read-back), then checks the emulator serves that serial.
 */
export async function renewOnce(
  k: Kube,
  emulator: Emulator,
  i: number,
  domain: BenchDomain,
  ca: TestCA,
  timeoutMs = 60_000,
): Promise<Renewal> {
  emulator.resetCalls();
  const started = performance.now();
  const serial = await renewTlsSecret(k, i, domain.name, ca);
  for (;;) {
    const g = await getResource(k, i);
    if (g.status?.certificate?.serialNumber === serial && isReady(g)) break;
    if (performance.now() - started > timeoutMs)
      throw new Error(`renewal of resource ${i} not seen in status after ${timeoutMs} ms`);
    await sleep(10);
  }
  const elapsed = performance.now() - started;
  const served = emulator.state.domains.find(
    (d) => d.url_domain === domain.name && d.instance_id === domain.instanceId,
  )?.certificate?.serial_number;
  if (served !== serial)
    throw new Error(`status shows serial ${serial} for ${domain.name} but the gateway serves ${served}`);
  const calls = emulator.calls();
  return { ms: elapsed, counts: calls.counts, total: calls.total, writes: calls.writes };
}

export async function renewMany(
  k: Kube,
  emulator: Emulator,
  domains: BenchDomain[],
  ca: TestCA,
  count: number,
  offset: number,
  gapMs: number,
): Promise<Renewal[]> {
  const out: Renewal[] = [];
  // Spread over the whole set rather than the first few resources.
  const stride = Math.max(1, Math.floor(domains.length / Math.max(1, count)));
  for (let r = 0; r < count; r++) {
    await sleep(gapMs);
    const i = (offset + r * stride) % domains.length;
    out.push(await renewOnce(k, emulator, i, domains[i]!, ca));
  }
  return out;
}
