// Figures the benchmark takes more than once: the operator's memory, and a renewal run summarised.
import { metricSum, type OperatorProcess } from './operator-process.ts';
import type { Renewal } from './phases.ts';
import { fmtCounts, ms, percentile, perUnit, type Row, round } from './report.ts';

export interface Memory {
  rss: number;
  peakRss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** Committed size per V8 heap space (new, old, code, large object…), from nodejs_heap_space_size_total_bytes. */
  spaces: Record<string, number>;
}

function heapSpaces(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^nodejs_heap_space_size_total_bytes\{space="([^"]+)"\} (\S+)$/gm))
    out[m[1]!] = Number(m[2]);
  return out;
}

/** RSS and its high-water mark from /proc (read before /metrics); heap and external memory from /metrics. */
export async function memory(op: OperatorProcess): Promise<Memory> {
  // /proc first: serving /metrics (at 10,000 resources, their series) holds ~14 MiB for a moment, which an
  // RSS read right after the answer counted (152 instead of 138 MiB in session 5).
  const rss = op.rssBytes();
  const peakRss = op.peakRssBytes();
  const text = await op.metricsText();
  return {
    rss,
    peakRss,
    heapUsed: metricSum(text, 'nodejs_heap_size_used_bytes'),
    heapTotal: metricSum(text, 'nodejs_heap_size_total_bytes'),
    external: metricSum(text, 'nodejs_external_memory_bytes'),
    spaces: heapSpaces(text),
  };
}

/**
 * Reaction p50/p99/max (from the renewed Secret stored to the verified serial in status) and calls/writes
 * per renewal. With injected gateway latency L, the floor is two round trips (upload, then the read-back
 * that status waits for), shown two ways: 2·L, as if the gateway answered in no time beyond L; and the
 * renewal's own two round trips as the gateway served them (L plus the emulator's processing and
 * wake-ups, ~2 ms a call here, which no operator can save). The same ratio timed from the Secret PUT sent
 * (cert-manager's write included, as sessions 4–6 reported it) is printed beside.
 */
export function renewalFigures(
  rows: Row[],
  figures: Record<string, unknown>,
  label: string,
  key: string,
  list: Renewal[],
  latencyMs: number,
): void {
  const times = list.map((r) => r.ms);
  const counts: Record<string, number> = {};
  for (const r of list) for (const [op, n] of Object.entries(r.counts)) counts[op] = (counts[op] ?? 0) + n;
  const writes = list.reduce((s, r) => s + r.writes, 0) / list.length;
  const total = list.reduce((s, r) => s + r.total, 0) / list.length;
  const pct = (xs: number[]) => [percentile(xs, 50), percentile(xs, 99)] as const;
  const [p50, p99] = pct(times);
  const floor = 2 * latencyMs;
  rows.push(
    [
      label,
      `reaction p50 / p99 / max (${list.length}), Secret stored → status`,
      `${ms(p50)} / ${ms(p99)} / ${ms(Math.max(...times))}`,
    ],
    [
      label,
      'gateway calls / writes per renewal',
      `${round(total)} / ${round(writes)} (${fmtCounts(perUnit(counts, list.length))})`,
    ],
  );
  const [writeP50, writeP99] = pct(list.map((r) => r.secretWriteMs));
  rows.push([
    label,
    "the Secret PUT before it (cert-manager's write) p50 / p99",
    `${ms(writeP50)} / ${ms(writeP99)}`,
  ]);
  const splits = list.flatMap((r) => (r.split ? [r.split] : []));
  const part = (k: 'beforeMs' | 'gatewayMs' | 'afterMs') => {
    const xs = splits.map((x) => x[k]);
    return { p50: Math.round(percentile(xs, 50)), p99: Math.round(percentile(xs, 99)) };
  };
  const split =
    splits.length > 0
      ? { before: part('beforeMs'), gateway: part('gatewayMs'), after: part('afterMs') }
      : undefined;
  if (split)
    rows.push([
      label,
      'p50 / p99: stored → 1st call | calls | last answer → status seen',
      `${split.before.p50} / ${split.before.p99} | ${split.gateway.p50} / ${split.gateway.p99} | ${split.after.p50} / ${split.after.p99} ms`,
    ]);
  // Per renewal: the time above its own round trips, and the ratio to them.
  const [servedP50] = pct(list.map((r) => r.answeringMs));
  const [toServedP50, toServedP99] = pct(list.map((r) => r.ms / r.answeringMs));
  const [aboveP50, aboveP99] = pct(list.map((r) => r.ms - r.answeringMs));
  const [sentP50, sentP99] = pct(list.map((r) => r.ms + r.secretWriteMs));
  if (floor > 0)
    rows.push(
      [label, `p50 / p99 ÷ floor (2 × ${latencyMs} ms)`, `${round(p50 / floor)} / ${round(p99 / floor)}`],
      [
        label,
        'p50 / p99 ÷ floor (its 2 round trips as served)',
        `${round(toServedP50)} / ${round(toServedP99)} (round trips p50 ${ms(servedP50)})`,
      ],
      [label, 'p50 / p99 above its round trips', `${ms(aboveP50)} / ${ms(aboveP99)}`],
      [
        label,
        `p50 / p99 from the PUT sent; ÷ 2 × ${latencyMs} ms`,
        `${ms(sentP50)} / ${ms(sentP99)}; ${round(sentP50 / floor)} / ${round(sentP99 / floor)}`,
      ],
    );
  figures[key] = {
    count: list.length,
    latencyMs,
    p50Ms: Math.round(p50),
    p99Ms: Math.round(p99),
    maxMs: Math.round(Math.max(...times)),
    secretWriteP50Ms: round(writeP50, 1),
    secretWriteP99Ms: round(writeP99, 1),
    ...(floor > 0
      ? {
          floorMs: floor,
          p50ToFloor: round(p50 / floor),
          p99ToFloor: round(p99 / floor),
          servedRoundTripsP50Ms: Math.round(servedP50),
          p50ToServedRoundTrips: round(toServedP50),
          p99ToServedRoundTrips: round(toServedP99),
          aboveRoundTripsP50Ms: Math.round(aboveP50),
          aboveRoundTripsP99Ms: Math.round(aboveP99),
          fromSentP50Ms: Math.round(sentP50),
          fromSentP99Ms: Math.round(sentP99),
          fromSentP99ToFloor: round(sentP99 / floor),
        }
      : {}),
    callsPerRenewal: round(total),
    writesPerRenewal: round(writes),
    callsByOperation: perUnit(counts, list.length),
    ...(split ? { split } : {}),
  };
}
