// The operator's periodic inventory (--inventory-interval, off by default): every cloud certificate
// on the gateways its resources use, as expiry gauges labelled source/gateway/name/managed, so one
// Prometheus rule covers certificates this operator manages and those it does not. Runs on the
// leader only, through the same pooled clients (and per-account rate limiters) the reconciles use,
// without the one-call-per-certificate serial reads.
import type { GatewayDomainCertificate } from '../api/v1alpha1.ts';
import type { GatewayPool } from '../controller/gateway-pool.ts';
import type { Metrics } from '../observability/metrics.ts';
import { loadCredentials, type SecretSource } from '../reconciler/inputs.ts';
import { collectInventory, type InventoryTarget } from './collect.ts';

export interface PeriodicInventoryOptions {
  intervalMs: number;
  resources: () => GatewayDomainCertificate[];
  pool: Pick<GatewayPool, 'client'>;
  secrets: SecretSource;
  metrics: Metrics;
  logger: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void };
}

type Labels = { source: string; gateway: string; name: string; managed: string };

export class PeriodicInventory {
  private readonly opts: PeriodicInventoryOptions;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private published = new Map<string, Labels>();

  constructor(opts: PeriodicInventoryOptions) {
    this.opts = opts;
  }

  start(): void {
    if (this.timer || this.stopped) return;
    const tick = () => {
      this.running = this.runOnce()
        .catch((err) => this.opts.logger.warn({ err: String(err) }, 'inventory failed'))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(tick, this.opts.intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass: list each gateway once per account, then publish (and drop vanished series). */
  async runOnce(): Promise<void> {
    const { metrics: m, logger } = this.opts;
    const resources = this.opts.resources();
    const next = new Map<string, { labels: Labels; notAfter: number; daysLeft: number }>();
    let failed = 0;
    for (const group of inventoryGroups(resources)) {
      let targets: InventoryTarget[];
      try {
        const credentials = await loadCredentials(this.opts.secrets, group.resource);
        const client = this.opts.pool.client(group.resource.spec.gateway, credentials);
        targets = group.instanceIds.map((id) => ({ label: id, instanceId: id, client }));
      } catch (err) {
        failed++;
        logger.warn({ err: (err as Error).message }, 'inventory: skipping gateways whose credentials fail');
        continue;
      }
      const report = await collectInventory({ gateways: targets, resources, warnDays: 0, serials: false });
      failed += report.errors.length;
      for (const e of report.errors)
        logger.warn({ gateway: e.source, err: e.message }, 'inventory listing failed');
      for (const row of report.certificates) {
        const notAfter = Date.parse(row.notAfter ?? '');
        if (!Number.isFinite(notAfter) || row.daysLeft === undefined) continue;
        // A global certificate counts on each gateway that serves it (the alert names where it matters).
        const serving = [...new Set(row.domains.map((d) => d.gateway))];
        for (const gateway of serving.length > 0 && row.gateway === 'global' ? serving : [row.gateway]) {
          const labels = { source: row.source, gateway, name: row.name, managed: String(!!row.managedBy) };
          next.set(JSON.stringify(labels), { labels, notAfter: notAfter / 1000, daysLeft: row.daysLeft });
        }
      }
    }
    for (const [key, labels] of this.published) {
      if (!next.has(key)) {
        m.cloudCertificateNotAfter.remove(labels);
        m.cloudCertificateDaysLeft.remove(labels);
      }
    }
    for (const { labels, notAfter, daysLeft } of next.values()) {
      m.cloudCertificateNotAfter.set(labels, notAfter);
      m.cloudCertificateDaysLeft.set(labels, daysLeft);
    }
    this.published = new Map([...next].map(([k, v]) => [k, v.labels]));
    m.inventoryRuns.inc({ result: failed > 0 ? 'error' : 'success' });
    if (failed === 0) m.inventoryLastSuccess.set(Date.now() / 1000);
    logger.info({ certificates: next.size, failed }, 'inventory done');
  }
}

/** One account on one endpoint (a credentials Secret, a project) and the gateway instances it is used on. */
export interface InventoryGroup {
  /** A resource of the group: its credentials Secret and gateway endpoint serve the whole group. */
  resource: GatewayDomainCertificate;
  instanceIds: string[];
}

/**
 * Resources sharing credentials Secret, endpoint and project are listed together (global certificates
 * once); their instances are spec.gateway.instanceId (Domain mode) and spec.domains[].instanceIds (Shared).
 */
export function inventoryGroups(resources: readonly GatewayDomainCertificate[]): InventoryGroup[] {
  const groups = new Map<string, { resource: GatewayDomainCertificate; ids: Set<string> }>();
  for (const gdc of resources) {
    const g = gdc.spec.gateway;
    if (!g || gdc.metadata.deletionTimestamp) continue;
    const ids = [g.instanceId, ...(gdc.spec.domains ?? []).flatMap((d) => d.instanceIds ?? [])].filter(
      (id): id is string => !!id,
    );
    if (ids.length === 0) continue;
    const key = JSON.stringify([
      gdc.metadata.namespace,
      gdc.spec.credentialsSecretRef?.name,
      g.service,
      g.endpoint ?? g.region,
      g.iamEndpoint,
      g.projectId,
    ]);
    const group = groups.get(key) ?? { resource: gdc, ids: new Set<string>() };
    for (const id of ids) group.ids.add(id);
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => ({ resource: g.resource, instanceIds: [...g.ids] }));
}
