// Wires watches, the work queue and the reconciler: events say which key to look at, workers
// reconcile keys one at a time each, results schedule the next look. Caches run on every replica
// (a standby is warm); workers run only while this process leads.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { GatewayDomainCertificate } from '../api/v1alpha1.ts';
import { EventRecorder } from '../kube/events.ts';
import { KubeSecretSource, KubeStatusWriter, secretRead } from '../kube/resources.ts';
import { WorkQueue } from '../kube/workqueue.ts';
import { logContext } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { SecretSource } from '../reconciler/inputs.ts';
import type { ReconcilerDeps } from '../reconciler/ports.ts';
import { Reconciler } from '../reconciler/reconciler.ts';
import { EndpointBulkhead } from './bulkhead.ts';
import { CertificateIndex } from './certificates.ts';
import { DomainClaims } from './domain-claims.ts';
import { GatewayPool, gatewayEndpoints, type PoolOptions } from './gateway-pool.ts';
import { IdleTrim } from './idle-trim.ts';
import { SecretReads } from './secret-reads.ts';
import { Sweeper } from './sweeper.ts';
import { createWatches, needsReconcile, SecretIndex, type WatchSet, type WatchTiming } from './watches.ts';
import { WrittenStatus } from './written-status.ts';

const NAME = 'gatewaydomaincertificate';

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  metrics: Metrics;
  namespaces?: string[];
  concurrency?: number;
  /** Reconciles at once per gateway endpoint; default half of `concurrency`, rounded up. */
  endpointConcurrency?: number;
  gateway?: PoolOptions;
  reconciler?: Pick<ReconcilerDeps, 'backoffBaseMs' | 'backoffMaxMs' | 'deletionTimeoutMs' | 'now'>;
  watch?: WatchTiming;
  /** How often a missing cert-manager CRD (or permission) is looked for again. */
  certificateRecheckMs?: number;
  identity?: string;
  /** The leftover sweep (leader only); intervalMs 0 turns it off. */
  sweep?: { intervalMs: number; graceMs: number; maxDeletes?: number };
}

export class Controller {
  readonly queue: WorkQueue<string>;
  private readonly opts: ControllerOptions;
  private readonly watches: WatchSet;
  private readonly index = new SecretIndex();
  private readonly certificates = new CertificateIndex();
  private readonly reads = new SecretReads();
  private readonly claims = new DomainClaims();
  private readonly written = new WrittenStatus((key) => this.cached(key)?.metadata.resourceVersion);
  private readonly pool: GatewayPool;
  private readonly reconciler: Reconciler;
  private readonly events: EventRecorder;
  private readonly bulkhead: EndpointBulkhead;
  private workersStarted = false;
  private readonly sweeper: Sweeper;
  private readonly trim: IdleTrim;

  constructor(opts: ControllerOptions) {
    this.opts = opts;
    const { metrics: m, logger } = opts;
    this.trim = new IdleTrim({
      // Outside the context of the reconcile whose end armed the timer: it is no resource's doing.
      onTrim: (r) =>
        logContext.exit(() =>
          logger.info(
            {
              reconciles: r.reconciles,
              rssBefore: r.rssBefore,
              rssAfter: r.rssAfter,
              durationMs: Math.round(r.ms),
            },
            'returned the memory of a burst of reconciles',
          ),
        ),
    });
    this.queue = new WorkQueue<string>({
      baseDelayMs: 5,
      maxDelayMs: 300_000,
      jitter: 0.1,
      metrics: {
        depth: (n) => m.queueDepth.set({ name: NAME }, n),
        add: () => m.queueAdds.inc({ name: NAME }),
        retry: () => m.queueRetries.inc({ name: NAME }),
        queueLatency: (s) => m.queueLatency.observe({ name: NAME }, s),
        workDuration: (s) => m.workDuration.observe({ name: NAME }, s),
      },
    });
    const workers = opts.concurrency ?? 4;
    this.bulkhead = new EndpointBulkhead({
      limit: opts.endpointConcurrency ?? Math.ceil(workers / 2),
      requeue: (key) => this.queue.add(key),
    });
    this.pool = new GatewayPool({
      ...opts.gateway,
      logger,
      onCall: (e) => {
        m.gatewayCalls.inc({
          operation: e.operation,
          status: String(e.status ?? 'none'),
          error_code: e.errorCode ?? '',
        });
        m.gatewayCallDuration.observe({ operation: e.operation }, e.durationMs / 1000);
      },
    });
    this.events = new EventRecorder({
      kubeConfig: opts.kubeConfig,
      reportingInstance: opts.identity ?? 'apig-cert-sync',
      logger,
    });
    this.reconciler = new Reconciler({
      ...opts.reconciler,
      secrets: this.secretSource(new KubeSecretSource(opts.kubeConfig)),
      gateways: this.pool,
      status: new KubeStatusWriter(opts.kubeConfig, (w) => this.written.remember(w)),
      events: { event: (gdc, type, reason, action, note) => this.event(gdc, type, reason, action, note) },
      logger,
      certificates: (namespace, secretName) => this.certificateFor(namespace, secretName),
      domainHolder: (gdc) => this.claims.holderOtherThan(`${gdc.metadata.namespace}/${gdc.metadata.name}`),
      observer: {
        synced: (gdc, status) => {
          const labels = { namespace: gdc.metadata.namespace, name: gdc.metadata.name };
          const notAfter = Date.parse(status.certificate?.notAfter ?? '');
          for (const d of status.domains ?? []) {
            if (Number.isFinite(notAfter))
              m.certificateNotAfter.set({ ...labels, domain: d.name ?? '' }, notAfter / 1000);
          }
          m.resourceReady.remove(labels as Record<string, string>);
          m.resourceReady.set({ ...labels, reason: 'Synced' }, 1);
        },
        failed: (gdc, reason) => {
          const labels = { namespace: gdc.metadata.namespace, name: gdc.metadata.name };
          m.resourceReady.remove(labels as Record<string, string>);
          m.resourceReady.set({ ...labels, reason }, 0);
        },
        deleted: (gdc) => this.forgetMetrics(gdc.metadata.namespace, gdc.metadata.name),
        cleaned: (_gdc, count) => m.certificatesDeleted.inc({ cause: 'replaced' }, count),
      },
    });
    this.watches = createWatches({
      kubeConfig: opts.kubeConfig,
      namespaces: opts.namespaces,
      logger,
      ...(opts.watch ? { watch: opts.watch } : {}),
      onResource: (_type, key, next, prev) => {
        this.written.caughtUp(key, next);
        this.index.update(key, next);
        // A resource whose claim changed can free (or take) a domain another one waits for.
        for (const other of this.claims.update(key, next)) this.queue.add(other);
        if (!next) this.forgetMetrics(prev?.metadata.namespace ?? '', prev?.metadata.name ?? '');
        if (next && needsReconcile(prev, next)) this.queue.add(key);
      },
      onSecret: (secretKey, raw) => {
        const users = this.index.users(secretKey);
        // The reconcile this wakes takes the Secret from here instead of reading it again.
        if (raw && users.length > 0) this.reads.offer(secretKey, secretRead(raw));
        for (const key of users) this.queue.add(key);
      },
      // A Certificate turning Ready (or not) releases (or holds back) the Secret it writes.
      onCertificate: (certKey, next, prev) => {
        for (const secretKey of this.certificates.update(certKey, next, prev))
          for (const key of this.index.users(secretKey)) this.queue.add(key);
      },
      ...(opts.certificateRecheckMs !== undefined ? { certificateRecheckMs: opts.certificateRecheckMs } : {}),
    });
    this.sweeper = this.createSweeper();
  }

  private event(
    gdc: GatewayDomainCertificate,
    type: 'Normal' | 'Warning',
    reason: string,
    action: string,
    note: string,
  ): void {
    this.events.event(
      {
        apiVersion: gdc.apiVersion,
        kind: gdc.kind,
        name: gdc.metadata.name,
        namespace: gdc.metadata.namespace,
        uid: gdc.metadata.uid ?? '',
        resourceVersion: gdc.metadata.resourceVersion ?? '',
      },
      type,
      reason,
      action,
      note,
    );
  }

  private createSweeper(): Sweeper {
    const { sweep, logger, metrics } = this.opts;
    return new Sweeper({
      intervalMs: sweep?.intervalMs ?? 3_600_000,
      graceMs: sweep?.graceMs ?? 600_000,
      maxDeletes: sweep?.maxDeletes ?? 20,
      resources: () => this.list(),
      pool: this.pool,
      secrets: new KubeSecretSource(this.opts.kubeConfig),
      metrics,
      logger,
      event: (gdc, note) => this.event(gdc, 'Normal', 'LeftoverDeleted', 'Sweep', note),
    });
  }

  /**
   * Secret reads go to the API unless the watch just handed the Secret over or a credentials Secret is
   * unchanged since read; digests come from the watch caches (a restart reads no Secret).
   */
  private secretSource(source: KubeSecretSource): SecretSource {
    const cachedDigest = (namespace: string, name: string) => {
      for (const r of this.watches?.secrets ?? []) {
        const d = r.store.get(`${namespace}/${name}`);
        if (d) return d.digest;
      }
      return undefined;
    };
    return {
      get: async (namespace, name, role) => {
        const key = `${namespace}/${name}`;
        const digest = cachedDigest(namespace, name);
        const held =
          role === 'credentials' ? this.reads.credentialsFor(key, digest) : this.reads.take(key, digest);
        if (held) return held;
        this.opts.metrics.secretReads.inc();
        const read = await source.get(namespace, name);
        // Remembered under the watch's digest as it was before this read: for an Opaque Secret that is its
        // resourceVersion (watched as metadata only), never the data digest the read carries. A change
        // in between only costs one more read once the watch shows it.
        if (read && role === 'credentials' && digest !== undefined)
          this.reads.rememberCredentials(key, { ...read, digest });
        return read;
      },
      cachedDigest,
    };
  }

  private certificateFor(namespace: string, secretName: string) {
    const key = this.certificates.certificateFor(`${namespace}/${secretName}`);
    if (!key) return undefined;
    for (const r of this.watches.certificates) {
      const c = r.store.get(key);
      if (c) return c;
    }
    return undefined;
  }

  private forgetMetrics(namespace: string, name: string) {
    const labels = { namespace, name };
    this.opts.metrics.certificateNotAfter.remove(labels as Record<string, string>);
    this.opts.metrics.resourceReady.remove(labels as Record<string, string>);
  }

  private caches() {
    return [...this.watches.resources, ...this.watches.secrets, ...this.watches.certificates];
  }

  /** Starts the caches; resolves when every one has listed once. */
  async startCaches(): Promise<void> {
    const all = this.caches();
    for (const r of all) r.start();
    await Promise.all(all.map((r) => r.waitForSync()));
  }

  cachesSynced(): boolean {
    return this.caches().every((r) => r.hasSynced());
  }

  /** Every cache synced and none failing to list/watch right now (/readyz). */
  cachesHealthy(): boolean {
    return this.caches().every((r) => r.healthy());
  }

  /** Every cached resource (all watched namespaces). */
  list(): GatewayDomainCertificate[] {
    return this.watches.resources.flatMap((r) => [...r.store.values()]);
  }

  /** The pooled gateway clients, shared with the periodic inventory (same rate limiters). */
  get gateways(): GatewayPool {
    return this.pool;
  }

  get(key: string): GatewayDomainCertificate | undefined {
    const found = this.cached(key);
    return found && this.written.newest(key, found);
  }

  /** Status writes the watch has not delivered yet (a test's view on the bridge staying empty). */
  get unsettledStatusWrites(): number {
    return this.written.size;
  }

  private cached(key: string): GatewayDomainCertificate | undefined {
    for (const r of this.watches.resources) {
      const found = r.store.get(key);
      if (found) return found;
    }
    return undefined;
  }

  /** Runs the workers (call once leading). */
  startWorkers(): void {
    if (this.workersStarted) return;
    this.workersStarted = true;
    this.sweeper.start();
    void this.queue.runWorkers(
      this.opts.concurrency ?? 4,
      (key) => this.handle(key),
      (key, err) =>
        this.opts.logger.error(
          { resource: key, err: String(err) },
          'reconcile failed unexpectedly; retrying with backoff',
        ),
    );
  }

  private async handle(key: string): Promise<void> {
    const gdc = this.get(key);
    if (!gdc) return;
    const endpoint = endpointKey(gdc);
    if (!this.bulkhead.tryEnter(endpoint, key)) return; // set aside; queued again when a slot frees
    try {
      await this.reconcileNow(key, gdc);
    } finally {
      this.bulkhead.leave(endpoint, key);
    }
  }

  private async reconcileNow(key: string, gdc: GatewayDomainCertificate): Promise<void> {
    const { metrics: m } = this.opts;
    const [namespace, name] = key.split('/');
    await logContext.run(
      { resource: key, namespace, name, generation: gdc.metadata.generation },
      async () => {
        const end = m.reconcileTime.startTimer({ controller: NAME });
        this.opts.logger.debug({ resourceVersion: gdc.metadata.resourceVersion }, 'reconciling');
        let result = 'error';
        try {
          const res = await this.reconciler.reconcile(gdc);
          result = res.result;
          if (res.requeueAfterMs !== undefined) this.queue.addAfter(key, res.requeueAfterMs);
        } finally {
          m.reconcileTotal.inc({ controller: NAME, result });
          this.trim.reconciled();
          // One clock for the histogram and the log line.
          const durationMs = Math.round(end() * 10_000) / 10;
          this.opts.logger.debug({ result, durationMs }, 'reconciled');
        }
      },
    );
  }

  /** Stops taking work, lets in-flight reconciles finish (bounded), closes watches and clients. */
  async stop(drainMs = 25_000): Promise<boolean> {
    this.trim.stop();
    await this.sweeper.stop();
    const drained = await this.queue.shutDownWithDrain(drainMs);
    await Promise.all(this.caches().map((r) => r.stop()));
    await this.pool.closeAll();
    return drained;
  }
}

/** The origin a resource's reconciles talk to (its bulkhead compartment). */
function endpointKey(gdc: GatewayDomainCertificate): string {
  const { endpoint } = gatewayEndpoints(gdc.spec.gateway);
  try {
    return new URL(endpoint).origin;
  } catch {
    return endpoint;
  }
}
