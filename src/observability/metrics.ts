// Prometheus metrics, named after controller-runtime's so existing dashboards and alerts fit.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  // The event-loop lag histogram samples on a timer: prom-client's default of every 10 ms alone cost
  // 0.6 % of a core in an idle process; every 100 ms costs 0.07 % and still shows a blocked loop.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  const m = {
    registry,
    reconcileTotal: new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Reconciles by result (success, error, requeue, requeue_after, terminal).',
      labelNames: ['controller', 'result'],
      registers: [registry],
    }),
    reconcileTime: new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Time per reconcile.',
      labelNames: ['controller'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'workqueue_depth',
      help: 'Keys waiting.',
      labelNames: ['name'],
      registers: [registry],
    }),
    queueAdds: new Counter({
      name: 'workqueue_adds_total',
      help: 'Keys added.',
      labelNames: ['name'],
      registers: [registry],
    }),
    queueRetries: new Counter({
      name: 'workqueue_retries_total',
      help: 'Rate-limited re-adds.',
      labelNames: ['name'],
      registers: [registry],
    }),
    queueLatency: new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'Time a key waits before a worker takes it.',
      labelNames: ['name'],
      buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 10, 60],
      registers: [registry],
    }),
    workDuration: new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'Time a worker spends on a key.',
      labelNames: ['name'],
      buckets: [0.005, 0.05, 0.25, 1, 5, 30],
      registers: [registry],
    }),
    gatewayCalls: new Counter({
      name: 'apig_cert_sync_gateway_calls_total',
      help: 'Calls to the gateway API by operation, HTTP status and error code.',
      labelNames: ['operation', 'status', 'error_code'],
      registers: [registry],
    }),
    gatewayCallDuration: new Histogram({
      name: 'apig_cert_sync_gateway_call_duration_seconds',
      help: 'Gateway call latency by operation.',
      labelNames: ['operation'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    secretReads: new Counter({
      name: 'apig_cert_sync_secret_reads_total',
      help: 'Secrets read from the Kubernetes API (a restart over unchanged resources reads none).',
      registers: [registry],
    }),
    certificatesDeleted: new Counter({
      name: 'apig_cert_sync_certificates_deleted_total',
      help: 'Certificates of ours deleted because nothing is bound to them any more, by why: replaced by a sync, or found by the sweep.',
      labelNames: ['cause'],
      registers: [registry],
    }),
    sweeps: new Counter({
      name: 'apig_cert_sync_sweeps_total',
      help: 'Leftover sweeps run, by result.',
      labelNames: ['result'],
      registers: [registry],
    }),
    certificateNotAfter: new Gauge({
      name: 'apig_cert_sync_certificate_not_after_timestamp_seconds',
      help: 'notAfter of the certificate each resource has bound at the gateway (alert when it nears now).',
      labelNames: ['namespace', 'name', 'domain'],
      registers: [registry],
    }),
    resourceReady: new Gauge({
      name: 'apig_cert_sync_resource_ready',
      help: '1 when the resource is Ready, 0 otherwise, with the reason.',
      labelNames: ['namespace', 'name', 'reason'],
      registers: [registry],
    }),
    cloudCertificateNotAfter: new Gauge({
      name: 'apig_cert_sync_cloud_certificate_not_after_timestamp_seconds',
      help: 'notAfter of every certificate on the gateways the resources use (--inventory-interval), managed or not.',
      labelNames: ['source', 'gateway', 'name', 'managed'],
      registers: [registry],
    }),
    cloudCertificateDaysLeft: new Gauge({
      name: 'apig_cert_sync_cloud_certificate_days_left',
      help: 'Whole days until notAfter at the last inventory (negative once expired).',
      labelNames: ['source', 'gateway', 'name', 'managed'],
      registers: [registry],
    }),
    inventoryRuns: new Counter({
      name: 'apig_cert_sync_inventory_runs_total',
      help: 'Periodic inventories by result (error: some gateway or credentials failed).',
      labelNames: ['result'],
      registers: [registry],
    }),
    inventoryLastSuccess: new Gauge({
      name: 'apig_cert_sync_inventory_last_success_timestamp_seconds',
      help: 'When the last inventory without any failure finished.',
      registers: [registry],
    }),
    leaderStatus: new Gauge({
      name: 'leader_election_master_status',
      help: '1 while this process holds the lease.',
      labelNames: ['name'],
      registers: [registry],
    }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
