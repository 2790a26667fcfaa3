// Command-line options of `npm run bench`.
import { parseArgs } from 'node:util';

export interface BenchOptions {
  resources: number;
  opaque: number;
  /** Shared-mode resources (two domains each) measured after the Domain-mode figures. */
  shared: number;
  renewals: number;
  idleSeconds: number;
  /** Node flags for the operator process, e.g. --max-old-space-size=120. */
  nodeArgs: string[];
  /** Run src/main.ts (with Node's type stripping) instead of the compiled operator. */
  fromSource: boolean;
  latencyMs: number;
  concurrency: number;
  /** Passed to the operator as --gateway-rate/--gateway-burst when set; else the operator's defaults. */
  gatewayRate: number | undefined;
  gatewayBurst: number | undefined;
}

export const DEFAULT_RESOURCES = 1000;
const QUICK_RESOURCES = 200;

export const HELP = `usage: npm run bench -- [options]
  --resources N      GatewayDomainCertificates (and TLS Secrets) to create (default ${DEFAULT_RESOURCES})
  --quick            N=${QUICK_RESOURCES}
  --unrelated-secrets M  unrelated ~8 KiB Opaque Secrets (default N; --opaque is the same)
  --shared S         Shared-mode resources, two domains each, for calls/writes per sync and renewal (default 10)
  --idle-seconds T   how long idle CPU and steady memory are measured after the first sync (default 10)
  --from-source      run src/main.ts instead of the compiled operator the image runs (adds ~17 MiB RSS)
  --node-arg F       a Node flag for the operator process (repeatable), after the Deployment's own
                     (its command's flags, NODE_OPTIONS and MALLOC_*, which the operator always gets)
  --renewals R       sequential renewals to time (default 20)
  --latency-ms L     gateway latency for the second renewal run (default 50; 0 skips it)
  --concurrency C    operator workers (default 8)
  --gateway-rate r   operator --gateway-rate (default: the operator's own, 10/s per account)
  --gateway-burst b  operator --gateway-burst (default: the operator's own, 20)`;

export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      resources: { type: 'string' },
      quick: { type: 'boolean' },
      opaque: { type: 'string' },
      'unrelated-secrets': { type: 'string' },
      shared: { type: 'string' },
      'idle-seconds': { type: 'string' },
      'node-arg': { type: 'string', multiple: true },
      'from-source': { type: 'boolean' },
      renewals: { type: 'string' },
      'latency-ms': { type: 'string' },
      concurrency: { type: 'string' },
      'gateway-rate': { type: 'string' },
      'gateway-burst': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const int = (v: string | undefined, def: number, min: number, flag: string): number => {
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${flag} must be a number >= ${min}, got "${v}"`);
    return n;
  };
  const resources = int(values.resources, values.quick ? QUICK_RESOURCES : DEFAULT_RESOURCES, 1, 'resources');
  const rate = values['gateway-rate'];
  const burst = values['gateway-burst'];
  return {
    resources,
    opaque: int(values['unrelated-secrets'] ?? values.opaque, resources, 0, 'unrelated-secrets'),
    shared: int(values.shared, 10, 0, 'shared'),
    idleSeconds: int(values['idle-seconds'], 10, 1, 'idle-seconds'),
    nodeArgs: values['node-arg'] ?? [],
    fromSource: values['from-source'] ?? false,
    renewals: Math.min(int(values.renewals, 20, 0, 'renewals'), resources),
    latencyMs: int(values['latency-ms'], 50, 0, 'latency-ms'),
    concurrency: int(values.concurrency, 8, 1, 'concurrency'),
    gatewayRate: rate === undefined ? undefined : int(rate, 0, 0.01, 'gateway-rate'),
    gatewayBurst: burst === undefined ? undefined : int(burst, 0, 1, 'gateway-burst'),
  };
}
