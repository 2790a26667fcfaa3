// The periodic, rate-limited sweep of our leftovers (a replaced certificate whose delete was cut
// short by a crash, a failover or a lost answer). Leader only; one listing per gateway instance and
// account per pass, at most `maxDeletes` deletes per pass, each after re-reading that nothing is
// bound to it. Every delete is an Event on the owning resource and a metric.
import type { GatewayDomainCertificate } from '../api/v1alpha1.ts';
import type { Metrics } from '../observability/metrics.ts';
import { isNotFound } from '../reconciler/failures.ts';
import { loadCredentials, type SecretSource } from '../reconciler/inputs.ts';
import { listingFor, settled, sweepCandidates } from '../reconciler/sweep.ts';
import type { GatewayPool } from './gateway-pool.ts';

export interface SweeperOptions {
  intervalMs: number;
  /** Certificates younger than this are never swept (a push may be making them). */
  graceMs: number;
  maxDeletes: number;
  resources: () => GatewayDomainCertificate[];
  pool: Pick<GatewayPool, 'client'>;
  secrets: SecretSource;
  metrics: Metrics;
  event: (gdc: GatewayDomainCertificate, note: string) => void;
  logger: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void };
}

export class Sweeper {
  private readonly opts: SweeperOptions;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(opts: SweeperOptions) {
    this.opts = opts;
  }

  start(): void {
    if (this.timer || this.stopped || this.opts.intervalMs <= 0) return;
    const tick = () => {
      this.running = this.runOnce()
        .catch((err) => {
          this.opts.logger.warn({ err: String(err) }, 'sweep failed');
          return 0;
        })
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(tick, this.opts.intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, this.opts.intervalMs).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass; returns how many certificates it deleted. */
  async runOnce(now = Date.now()): Promise<number> {
    const { metrics: m, logger } = this.opts;
    const groups = new Map<string, GatewayDomainCertificate[]>();
    for (const gdc of this.opts.resources()) {
      const listOn = listingFor(gdc);
      if (!listOn || !settled(gdc)) continue;
      const g = gdc.spec.gateway;
      const key = JSON.stringify([
        gdc.metadata.namespace,
        gdc.spec.credentialsSecretRef.name,
        g.service,
        g.endpoint ?? g.region,
        g.projectId,
        listOn,
      ]);
      groups.set(key, [...(groups.get(key) ?? []), gdc]);
    }
    let deleted = 0;
    let failed = 0;
    for (const owners of groups.values()) {
      if (deleted >= this.opts.maxDeletes) break;
      const first = owners[0];
      const listOn = first && listingFor(first);
      if (!first || !listOn) continue;
      try {
        const client = this.opts.pool.client(
          first.spec.gateway,
          await loadCredentials(this.opts.secrets, first),
        );
        const listed = await client.listAllCertificates(listOn);
        for (const c of sweepCandidates(listed, owners, now, this.opts.graceMs)) {
          if (deleted >= this.opts.maxDeletes) break;
          // Bound somewhere (by hand, or a push since the listing): never ours to pull away.
          if ((await client.listAllAttachedDomains(c.id)).length > 0) continue;
          try {
            await client.deleteCertificate(c.id);
          } catch (err) {
            if (!isNotFound(err)) throw err;
            continue;
          }
          deleted++;
          m.certificatesDeleted.inc({ cause: 'sweep' });
          this.opts.event(
            c.owner,
            `deleted leftover certificate ${c.id} (${c.name}): made for this resource by an interrupted sync, not the one it uses, bound to no domain`,
          );
        }
      } catch (err) {
        failed++;
        logger.warn({ err: String(err) }, 'sweep: a gateway listing or delete failed');
      }
    }
    m.sweeps.inc({ result: failed > 0 ? 'error' : 'success' });
    if (deleted > 0 || failed > 0) logger.info({ deleted, failed }, 'sweep done');
    return deleted;
  }
}
