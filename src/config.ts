// Operator settings from flags, else environment variables, else defaults (table in README.md).
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';

export interface OperatorConfig {
  namespaces: string[] | undefined;
  concurrency: number;
  endpointConcurrency: number;
  logLevel: string;
  metricsAddress: string;
  probeAddress: string;
  leaderElect: boolean;
  leaderElectionNamespace: string;
  leaderElectionId: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  identity: string;
  allowInsecureHttp: boolean;
  caBundle: string | undefined;
  proxyUrl: string | undefined;
  allowedEndpointDomains: string[];
  allowedEndpointNetworks: string[];
  gatewayRatePerSecond: number;
  gatewayBurst: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  deletionTimeoutMs: number;
  shutdownTimeoutMs: number;
  /** 0: off. Otherwise the leader lists every certificate on the resources' gateways this often. */
  inventoryIntervalMs: number;
  /** 0: off. How often the leader sweeps leftovers of ours (README: what the sweep may delete). */
  sweepIntervalMs: number;
  /** Certificates younger than this are never swept. */
  sweepGraceMs: number;
}

const OPTIONS = {
  namespaces: { env: 'WATCH_NAMESPACES', def: '' },
  concurrency: { env: 'CONCURRENCY', def: '4' },
  'endpoint-concurrency': { env: 'ENDPOINT_CONCURRENCY', def: '', shown: 'half of --concurrency' },
  'log-level': { env: 'LOG_LEVEL', def: 'info' },
  'metrics-bind-address': { env: 'METRICS_BIND_ADDRESS', def: ':8080' },
  'health-probe-bind-address': { env: 'HEALTH_PROBE_BIND_ADDRESS', def: ':8081' },
  'leader-elect': { env: 'LEADER_ELECT', def: 'false' },
  'leader-election-namespace': { env: 'POD_NAMESPACE', def: 'default' },
  'leader-election-id': { env: 'LEADER_ELECTION_ID', def: 'apig-cert-sync-leader' },
  'lease-duration': { env: 'LEASE_DURATION_SECONDS', def: '15' },
  'renew-deadline': { env: 'RENEW_DEADLINE_SECONDS', def: '10' },
  'retry-period': { env: 'RETRY_PERIOD_SECONDS', def: '2' },
  identity: { env: 'POD_NAME', def: '' },
  'allow-insecure-http': { env: 'ALLOW_INSECURE_HTTP', def: 'false' },
  'ca-bundle': { env: 'GATEWAY_CA_BUNDLE', def: '' },
  'https-proxy': { env: 'HTTPS_PROXY', def: '' },
  'allowed-endpoint-domains': { env: 'ALLOWED_ENDPOINT_DOMAINS', def: '' },
  'allowed-endpoint-networks': { env: 'ALLOWED_ENDPOINT_NETWORKS', def: '' },
  'gateway-rate': { env: 'GATEWAY_RATE_PER_SECOND', def: '10' },
  'gateway-burst': { env: 'GATEWAY_BURST', def: '20' },
  'backoff-base': { env: 'BACKOFF_BASE_SECONDS', def: '5' },
  'backoff-max': { env: 'BACKOFF_MAX_SECONDS', def: '300' },
  'deletion-timeout': { env: 'DELETION_TIMEOUT_SECONDS', def: '600' },
  'shutdown-timeout': { env: 'SHUTDOWN_TIMEOUT_SECONDS', def: '25' },
  'inventory-interval': { env: 'INVENTORY_INTERVAL_SECONDS', def: '0' },
  'sweep-interval': { env: 'SWEEP_INTERVAL_SECONDS', def: '3600' },
  'sweep-grace': { env: 'SWEEP_GRACE_SECONDS', def: '600' },
} as const;

type Name = keyof typeof OPTIONS;

export function usage(): string {
  return Object.entries(OPTIONS)
    .map(
      ([flag, o]) =>
        `  --${flag.padEnd(28)} env ${o.env.padEnd(26)} default ${o.def || ('shown' in o ? o.shown : '(none)')}`,
    )
    .join('\n');
}

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(OPTIONS).map((k) => [k, { type: 'string' as const }])),
    strict: true,
  });
  const get = (n: Name): string => (values[n] as string | undefined) ?? env[OPTIONS[n].env] ?? OPTIONS[n].def;
  const num = (n: Name, min: number): number => {
    const v = Number(get(n));
    if (!Number.isFinite(v) || v < min) throw new Error(`--${n} must be a number >= ${min}, got "${get(n)}"`);
    return v;
  };
  const bool = (n: Name): boolean => /^(1|true|yes)$/i.test(get(n));
  const csv = (n: Name): string[] =>
    get(n)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const list = csv('namespaces');
  const caFile = get('ca-bundle');
  return {
    namespaces: list.length > 0 ? list : undefined,
    concurrency: num('concurrency', 1),
    // Default: half the workers, so one endpoint that hangs leaves the other half to everyone else.
    endpointConcurrency: get('endpoint-concurrency')
      ? num('endpoint-concurrency', 1)
      : Math.ceil(num('concurrency', 1) / 2),
    logLevel: get('log-level'),
    metricsAddress: get('metrics-bind-address'),
    probeAddress: get('health-probe-bind-address'),
    leaderElect: bool('leader-elect'),
    leaderElectionNamespace: get('leader-election-namespace'),
    leaderElectionId: get('leader-election-id'),
    leaseDurationMs: num('lease-duration', 1) * 1000,
    renewDeadlineMs: num('renew-deadline', 1) * 1000,
    retryPeriodMs: num('retry-period', 0.1) * 1000,
    identity: get('identity') || `${hostname()}_${process.pid}`,
    allowInsecureHttp: bool('allow-insecure-http'),
    caBundle: caFile ? readFileSync(caFile, 'utf8') : undefined,
    proxyUrl: get('https-proxy') || undefined,
    allowedEndpointDomains: csv('allowed-endpoint-domains'),
    allowedEndpointNetworks: csv('allowed-endpoint-networks'),
    gatewayRatePerSecond: num('gateway-rate', 0.01),
    gatewayBurst: num('gateway-burst', 1),
    backoffBaseMs: num('backoff-base', 0.001) * 1000,
    backoffMaxMs: num('backoff-max', 0.001) * 1000,
    deletionTimeoutMs: num('deletion-timeout', 0) * 1000,
    shutdownTimeoutMs: num('shutdown-timeout', 1) * 1000,
    inventoryIntervalMs: num('inventory-interval', 0) * 1000,
    sweepIntervalMs: num('sweep-interval', 0) * 1000,
    sweepGraceMs: num('sweep-grace', 0) * 1000,
  };
}
