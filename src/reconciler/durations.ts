// Go-style durations ("90s", "1h30m", "500ms"), the format of spec.verifyInterval.
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? Number.NaN);
    consumed = re.lastIndex;
  }
  if (!text || consumed !== text.length || !Number.isFinite(total))
    throw new Error(`invalid duration "${text}"`);
  return total;
}

/** ±10 % so thousands of resources created together do not verify in lockstep. */
export function jitter(ms: number, fraction = 0.1): number {
  return Math.round(ms * (1 - fraction + Math.random() * 2 * fraction));
}
