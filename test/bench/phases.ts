// The waits the benchmark times: every resource Ready, every resource reconciled once after a
// restart, and one renewal from Secret update to the verified serial in status. Resource state comes
// from the benchmark's one watch (watcher.ts); only the restart count polls the operator's /metrics.
import type { TestCA } from '../support/pki.ts';
import type { EmulatorProcess } from './emulator-process.ts';
import { metricSum, type OperatorProcess } from './operator-process.ts';
import { type Kube, prepareRenewal } from './resources.ts';
import type { BenchDomain } from './seed.ts';
import type { ResourceWatcher } from './watcher.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r  ${text}   `);
  else process.stderr.write(`  ${text}\n`);
}

/** Waits until `n` resources are Ready=True; ms from `since` (performance.now()). */
export async function waitAllReady(
  w: ResourceWatcher,
  op: OperatorProcess,
  n: number,
  since: number,
  timeoutMs: number,
): Promise<number> {
  const ticker = setInterval(
    () => progress(`${w.readyCount}/${n} Ready after ${Math.round((performance.now() - since) / 1000)} s`),
    10_000,
  );
  try {
    await w.until(
      () => w.readyCount >= n,
      timeoutMs - (performance.now() - since),
      () =>
        `only ${w.readyCount}/${n} Ready; not ready by reason: ${JSON.stringify(w.notReadyReasons())}\noperator log tail:\n${op.logTail()}`,
    );
  } finally {
    clearInterval(ticker);
  }
  return performance.now() - since;
}

/** Polls /metrics every 250 ms until controller_runtime_reconcile_total sums to ≥ n; ms from `since`. */
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
    await sleep(250);
  }
}

/** A resource to renew: its name, the index of its TLS Secret, and the domains it serves. */
export interface Target {
  resource: string;
  secret: number;
  domains: BenchDomain[];
}

export interface Renewal {
  /**
   * Reaction: from the renewed Secret stored (its PUT acknowledged, the moment the operator's watch can
   * deliver it) to the status with the new serial seen on the watch.
   */
  ms: number;
  /** The Secret PUT itself (sent → acknowledged): cert-manager's write, before the renewal exists. */
  secretWriteMs: number;
  /**
   * Where the time went (wall clock, ms resolution; the emulator is another process): Secret stored →
   * first gateway call arrives (watch event, the operator's checks); the gateway calls; last answer →
   * status with the serial seen on the watch (the operator's status write and the watch event back).
   */
  split?: { beforeMs: number; gatewayMs: number; afterMs: number };
  /** The renewal's gateway round trips as the gateway served them (see CallWindow.answeringMs). */
  answeringMs: number;
  counts: Record<string, number>;
  total: number;
  writes: number;
}

/**
 * Replaces the target's TLS Secret, waits (on the watch) until its status shows the new serial — written
 * only after the gateway read-back — then checks every domain of it serves that serial.
 */
export async function renewOnce(
  k: Kube,
  em: EmulatorProcess,
  w: ResourceWatcher,
  t: Target,
  ca: TestCA,
  timeoutMs = 60_000,
): Promise<Renewal> {
  await em.resetCalls();
  const renewal = await prepareRenewal(
    k,
    t.secret,
    t.domains.map((d) => d.name),
    ca,
  );
  const { serial } = renewal;
  // The renewal is the Secret change. It exists once the API server has stored it: timed from the PUT's
  // acknowledgement (the operator's watch delivers the event at about that moment). The PUT itself is
  // cert-manager's write and the API server's cost; it is reported beside, and in the from-sent figure.
  const sent = performance.now();
  await renewal.write();
  const stored = performance.now();
  const storedWall = performance.timeOrigin + stored;
  await w.until(
    () => {
      const s = w.get(t.resource);
      return s?.serial === serial && s.ready;
    },
    timeoutMs,
    () => `renewal of ${t.resource} not seen in status after ${timeoutMs} ms`,
  );
  const elapsed = performance.now() - stored;
  for (const d of t.domains) {
    const served = await em.servedSerial(d.name, d.instanceId);
    if (served !== serial)
      throw new Error(`status shows serial ${serial} for ${d.name} but the gateway serves ${served}`);
  }
  const calls = await em.calls();
  const { firstArrivalMs: first, lastAnswerMs: last } = calls;
  const split =
    first !== undefined && last !== undefined
      ? { beforeMs: first - storedWall, gatewayMs: last - first, afterMs: storedWall + elapsed - last }
      : undefined;
  return {
    ms: elapsed,
    secretWriteMs: stored - sent,
    answeringMs: calls.answeringMs,
    counts: calls.counts,
    total: calls.total,
    writes: calls.writes,
    ...(split ? { split } : {}),
  };
}

/** Renews `count` targets spread over the list, one at a time, `gapMs` apart. */
export async function renewMany(
  k: Kube,
  em: EmulatorProcess,
  w: ResourceWatcher,
  targets: Target[],
  ca: TestCA,
  count: number,
  offset: number,
  gapMs: number,
): Promise<Renewal[]> {
  const out: Renewal[] = [];
  const stride = Math.max(1, Math.floor(targets.length / Math.max(1, count)));
  for (let r = 0; r < count; r++) {
    await sleep(gapMs);
    out.push(await renewOnce(k, em, w, targets[(offset + r * stride) % targets.length]!, ca));
  }
  return out;
}
