// Figures: percentiles, human units, and the table printed at the end.
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1; // nearest-rank
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

export const ms = (v: number) => `${Math.round(v)} ms`;
export const secs = (v: number) => `${(v / 1000).toFixed(1)} s`;
export const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
export const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

export type Row = [section: string, figure: string, value: string];

export function printTable(rows: Row[]): void {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  let last = '';
  for (const [section, figure, value] of rows) {
    const shown = section === last ? '' : section;
    last = section;
    console.log(`  ${shown.padEnd(w0)}  ${figure.padEnd(w1)}  ${value}`);
  }
}

/** Per-operation counts divided by n, e.g. {ListCertificates: 1, UploadDomainCertificate: 1}. */
export function perUnit(counts: Record<string, number>, n: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, round(v / n)]),
  );
}

export const fmtCounts = (c: Record<string, number>) =>
  Object.entries(c)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';
