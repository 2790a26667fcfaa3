// --prune: deletes leftovers only — certificates that carry our ownership mark, that no resource
// owns, and that serve no domain. Dry-run unless confirmed; each candidate's bindings are read once
// more right before its delete, so a domain bound since the listing keeps its certificate.
import type { GatewayClient } from '../gateway/index.ts';
import { isNotFound } from '../reconciler/failures.ts';
import type { InventoryTarget } from './collect.ts';
import type { InventoryReport, InventoryRow } from './report.ts';

export interface PruneOutcome {
  row: InventoryRow;
  action: 'would-delete' | 'deleted' | 'skipped' | 'failed';
  detail?: string;
}

export function pruneCandidates(report: InventoryReport): InventoryRow[] {
  if (!report.cluster) return []; // without the cluster no certificate is known to be unowned
  return report.certificates.filter(
    (r) => r.source !== 'scm' && r.ours && r.flags.includes('leftover') && r.flags.includes('unbound'),
  );
}

export async function prune(
  report: InventoryReport,
  targets: InventoryTarget[],
  confirm: boolean,
): Promise<PruneOutcome[]> {
  const out: PruneOutcome[] = [];
  for (const row of pruneCandidates(report)) {
    if (!confirm) {
      out.push({ row, action: 'would-delete' });
      continue;
    }
    const client = clientFor(row, targets);
    if (!client) {
      out.push({ row, action: 'skipped', detail: 'no client for its gateway' });
      continue;
    }
    try {
      const bound = await client.listAllAttachedDomains(row.id);
      if (bound.length > 0) {
        out.push({
          row,
          action: 'skipped',
          detail: `now bound to ${bound.map((d) => d.url_domain).join(', ')}`,
        });
        continue;
      }
      await client.deleteCertificate(row.id);
      out.push({ row, action: 'deleted' });
    } catch (err) {
      // Gone already: a retried delete whose first answer was lost, or someone else's sweep.
      if (isNotFound(err)) {
        out.push({ row, action: 'deleted', detail: 'already gone' });
        continue;
      }
      out.push({ row, action: 'failed', detail: (err as Error).message });
    }
  }
  return out;
}

function clientFor(row: InventoryRow, targets: InventoryTarget[]): GatewayClient | undefined {
  const same = targets.filter((t) => t.client.family === row.source);
  return (row.gateway === 'global' ? same[0] : same.find((t) => t.label === row.gateway))?.client;
}
