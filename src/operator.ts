// Assembles a running operator: caches, probes and metrics, leader election, workers, shutdown.

import type { Logger } from 'pino';
import type { OperatorConfig } from './config.ts';
import { Controller } from './controller/controller.ts';
import { PeriodicInventory } from './inventory/periodic.ts';
import { KubeConfig } from './kube/client-node.ts';
import { LeaderElector } from './kube/leader-election.ts';
import { KubeSecretSource } from './kube/resources.ts';
import { metricsRoutes, probeRoutes, startHttpServer } from './observability/health.ts';
import { createMetrics } from './observability/metrics.ts';

export interface RunningOperator {
  controller: Controller;
  metricsUrl: string;
  probeUrl: string;
  /** Resolves when the operator has stopped (signal, lost leadership). */
  done: Promise<void>;
  stop(reason: string): Promise<void>;
}

export async function startOperator(
  cfg: OperatorConfig,
  logger: Logger,
  kubeConfig?: KubeConfig,
): Promise<RunningOperator> {
  const started = performance.now();
  const kc = kubeConfig ?? new KubeConfig();
  if (!kubeConfig) kc.loadFromDefault(); // KUBECONFIG, ~/.kube/config, or in-cluster
  const metrics = createMetrics();
  const controller = new Controller({
    kubeConfig: kc,
    logger,
    metrics,
    namespaces: cfg.namespaces,
    concurrency: cfg.concurrency,
    endpointConcurrency: cfg.endpointConcurrency,
    identity: cfg.identity,
    gateway: {
      allowInsecureHttp: cfg.allowInsecureHttp,
      endpoints: { domains: cfg.allowedEndpointDomains, networks: cfg.allowedEndpointNetworks },
      rateLimit: { ratePerSecond: cfg.gatewayRatePerSecond, burst: cfg.gatewayBurst },
      ...(cfg.caBundle ? { caBundle: cfg.caBundle } : {}),
      ...(cfg.proxyUrl ? { proxyUrl: cfg.proxyUrl } : {}),
    },
    sweep: { intervalMs: cfg.sweepIntervalMs, graceMs: cfg.sweepGraceMs },
    reconciler: {
      backoffBaseMs: cfg.backoffBaseMs,
      backoffMaxMs: cfg.backoffMaxMs,
      deletionTimeoutMs: cfg.deletionTimeoutMs,
    },
  });
  const inventory =
    cfg.inventoryIntervalMs > 0
      ? new PeriodicInventory({
          intervalMs: cfg.inventoryIntervalMs,
          resources: () => controller.list(),
          pool: controller.gateways,
          secrets: new KubeSecretSource(kc),
          metrics,
          logger,
        })
      : undefined;
  const probes = await startHttpServer(
    cfg.probeAddress,
    probeRoutes({ live: () => true, ready: () => controller.cachesHealthy() }),
  );
  const metricsServer = await startHttpServer(cfg.metricsAddress, metricsRoutes(metrics.registry));

  let finish: () => void = () => {};
  const done = new Promise<void>((r) => {
    finish = r;
  });
  let elector: LeaderElector | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ reason }, 'shutting down');
      await inventory?.stop();
      const drained = await controller.stop(cfg.shutdownTimeoutMs);
      if (!drained)
        logger.warn(
          'in-flight reconciles abandoned at the shutdown deadline; they resume on the next leader',
        );
      await elector?.stop(); // releases the Lease so a standby takes over at once
      await new Promise((r) => probes.server.close(r));
      await new Promise((r) => metricsServer.server.close(r));
      finish();
    })();
    return stopping;
  };

  await controller.startCaches();
  logger.info(
    { startupMs: Math.round(performance.now() - started), namespaces: cfg.namespaces ?? 'all' },
    'caches synced',
  );
  if (cfg.leaderElect) {
    elector = new LeaderElector({
      kubeConfig: kc,
      namespace: cfg.leaderElectionNamespace,
      name: cfg.leaderElectionId,
      identity: cfg.identity,
      leaseDurationMs: cfg.leaseDurationMs,
      renewDeadlineMs: cfg.renewDeadlineMs,
      retryPeriodMs: cfg.retryPeriodMs,
      releaseOnCancel: true,
      logger,
      metrics: { masterStatus: (l) => metrics.leaderStatus.set({ name: cfg.leaderElectionId }, l ? 1 : 0) },
      onStartedLeading: () => {
        logger.info({ identity: cfg.identity }, 'became leader; starting workers');
        controller.startWorkers();
        inventory?.start();
      },
      // Like controller-runtime: a replica that lost its lease exits and starts again as a standby.
      onStoppedLeading: () => void stop('lost leadership'),
    });
    void elector.run();
  } else {
    controller.startWorkers();
    inventory?.start();
  }
  return { controller, metricsUrl: metricsServer.url, probeUrl: probes.url, done, stop };
}
