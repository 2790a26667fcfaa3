// Output formats: an aligned table for people, JSON and YAML (client-node's dumpYaml, a dependency
// we already ship, loaded only when asked for: its index is large) for scripts. Same fields in all.
import type { InventoryReport, InventoryRow } from './report.ts';

export type OutputFormat = 'table' | 'json' | 'yaml';

export async function render(report: InventoryReport, format: OutputFormat): Promise<string> {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'yaml') return (await import('@kubernetes/client-node')).dumpYaml(report);
  return table(report);
}

const COLUMNS: Array<[string, (r: InventoryRow) => string]> = [
  ['NAME', (r) => r.name],
  ['SOURCE', (r) => (r.scmId ? `${r.source}+scm` : r.source)],
  ['GATEWAY', (r) => r.gateway],
  ['DOMAINS', (r) => domains(r)],
  ['SERIAL', (r) => r.serial ?? ''],
  ['NOT-AFTER', (r) => r.notAfter ?? ''],
  ['DAYS', (r) => (r.daysLeft === undefined ? '' : String(r.daysLeft))],
  ['MANAGED-BY', (r) => r.managedBy ?? ''],
  ['FLAGS', (r) => r.flags.join(',')],
];

/** Domains of an instance certificate are on its own gateway; a global one's are prefixed by gateway. */
function domains(r: InventoryRow): string {
  return r.domains.map((d) => (d.gateway === r.gateway ? d.domain : `${d.gateway}:${d.domain}`)).join(',');
}

function table(report: InventoryReport): string {
  const cells = report.certificates.map((r) => COLUMNS.map(([, get]) => get(r) || '-'));
  const widths = COLUMNS.map(([h], i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [line(COLUMNS.map(([h]) => h)), ...cells.map(line)];
  if (!report.cluster)
    out.push('', 'MANAGED-BY and leftover need the cluster: pass --kubeconfig (or run in-cluster).');
  return `${out.join('\n')}\n`;
}
