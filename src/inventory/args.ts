// The inventory command's flags (README "Inventory" lists the same). Credentials are never flags
// except the access key: secrets on a command line end up in shell history and `ps`.
import { parseArgs } from 'node:util';
import type { GatewayRef } from '../api/v1alpha1.ts';
import type { OutputFormat } from './render.ts';

export interface GatewaySpec {
  ref: GatewayRef;
  label: string;
}

export interface InventoryArgs {
  gateways: GatewaySpec[];
  scm: boolean;
  scmEndpoint: string | undefined;
  credentialsFile: string | undefined;
  credentialsSecret: string | undefined;
  kubeconfig: string | undefined;
  cluster: boolean;
  warnDays: number;
  output: OutputFormat;
  prune: boolean;
  confirm: boolean;
  pageSize: number | undefined;
  ratePerSecond: number;
  burst: number;
  allowInsecureHttp: boolean;
  caBundle: string | undefined;
  proxyUrl: string | undefined;
}

export const INVENTORY_FLAGS: Array<[string, string]> = [
  [
    '--gateway SERVICE:ID[,name=N][,region=R][,project=P][,endpoint=URL][,iam=URL]',
    'a gateway to list (repeat); SERVICE apig or roma',
  ],
  ['--region R', 'default region of --gateway (endpoints https://apig.R.myhuaweicloud.com, …)'],
  ['--project-id P', 'default project id of --gateway'],
  ['--endpoint URL', "default gateway endpoint (instead of the region's)"],
  ['--iam-endpoint URL', 'IAM endpoint for password credentials (default from region or endpoint)'],
  [
    '--scm-endpoint URL',
    'SCM endpoint (default: scm.{region}.myhuaweicloud.com where the SDK lists SCM for that region)',
  ],
  ['--no-scm', 'leave SSL Certificate Manager out'],
  ['--credentials-secret NS/NAME', 'read the credentials Secret through the kubeconfig'],
  ['--credentials-file PATH', 'a mounted Secret directory, a Secret or key JSON, or KEY=value lines'],
  [
    '--kubeconfig PATH',
    'cluster whose GatewayDomainCertificates say who owns what (default KUBECONFIG / in-cluster)',
  ],
  ['--no-cluster', 'do not read the cluster (MANAGED-BY and leftover stay unknown)'],
  ['--warn-days N', 'flag certificates expiring within N days (default 30)'],
  ['-o, --output table|json|yaml', 'output format (default table)'],
  ['--prune', 'list leftovers to delete: ours, owned by no resource, bound to no domain (dry run)'],
  ['--confirm', 'with --prune: really delete them'],
  ['--page-size N', 'page size of the gateway listings (default 200; SCM 10..50, default 50)'],
  ['--gateway-rate N / --gateway-burst N', 'client-side rate limit per account (default 10/s, burst 20)'],
  ['--allow-insecure-http', 'allow http:// endpoints (emulators only)'],
  ['--ca-bundle PATH / --https-proxy URL', 'extra CAs / proxy, as for the operator'],
];

export function inventoryUsage(): string {
  const w = 36; // longer flags put their description on the next line
  return [
    'apig-cert-sync inventory: every certificate in SCM and on the given gateways, with expiry and ownership',
    '',
    'usage: node dist/src/inventory/main.js --gateway apig:INSTANCE_ID --region R --project-id P [flags]',
    'credentials: --credentials-secret, --credentials-file, or HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK',
    '  [/HUAWEICLOUD_SDK_SECURITY_TOKEN] or HUAWEICLOUD_USERNAME/HUAWEICLOUD_PASSWORD/HUAWEICLOUD_DOMAIN_NAME',
    '',
    ...INVENTORY_FLAGS.map(([f, d]) =>
      f.length > w ? `  ${f}\n  ${''.padEnd(w)}  ${d}` : `  ${f.padEnd(w)}  ${d}`,
    ),
  ].join('\n');
}

const SERVICES: Record<string, GatewayRef['service']> = {
  apig: 'apig',
  apigw: 'apig',
  roma: 'roma',
  apic: 'roma',
};

export function parseInventoryArgs(argv: string[], env: NodeJS.ProcessEnv = {}): InventoryArgs {
  const str = { type: 'string' as const };
  const flag = { type: 'boolean' as const };
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      gateway: { type: 'string', multiple: true },
      region: str,
      'project-id': str,
      endpoint: str,
      'iam-endpoint': str,
      'scm-endpoint': str,
      'no-scm': flag,
      'credentials-secret': str,
      'credentials-file': str,
      kubeconfig: str,
      'no-cluster': flag,
      'warn-days': str,
      output: { type: 'string', short: 'o' },
      prune: flag,
      confirm: flag,
      'page-size': str,
      'gateway-rate': str,
      'gateway-burst': str,
      'allow-insecure-http': flag,
      'ca-bundle': str,
      'https-proxy': str,
    },
  });
  const num = (name: string, raw: string | undefined, def: number, min: number): number => {
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}, got "${raw}"`);
    return n;
  };
  const output = (v.output ?? 'table') as OutputFormat;
  if (!['table', 'json', 'yaml'].includes(output)) throw new Error('-o must be table, json or yaml');
  if (v.confirm && !v.prune) throw new Error('--confirm only goes with --prune');
  const defaults = {
    region: v.region,
    projectId: v['project-id'],
    endpoint: v.endpoint,
    iamEndpoint: v['iam-endpoint'],
  };
  const gateways = (v.gateway ?? []).map((g) => parseGateway(g, defaults));
  if (gateways.length === 0) throw new Error('name at least one --gateway SERVICE:INSTANCE_ID');
  const labels = new Set<string>();
  for (const g of gateways) {
    if (labels.has(g.label)) throw new Error(`two gateways are called ${g.label}: give each a name=`);
    labels.add(g.label);
  }
  const pageSize = v['page-size'] === undefined ? undefined : num('page-size', v['page-size'], 200, 1);
  return {
    gateways,
    scm: !v['no-scm'],
    scmEndpoint: v['scm-endpoint'],
    credentialsFile: v['credentials-file'],
    credentialsSecret: v['credentials-secret'],
    kubeconfig: v.kubeconfig,
    // In a pod (service account) or with a kubeconfig at hand, owners are read unless told not to.
    cluster:
      !v['no-cluster'] &&
      Boolean(v.kubeconfig || env.KUBECONFIG || env.KUBERNETES_SERVICE_HOST || v['credentials-secret']),
    warnDays: num('warn-days', v['warn-days'], 30, 0),
    output,
    prune: Boolean(v.prune),
    confirm: Boolean(v.confirm),
    pageSize: pageSize === undefined ? undefined : Math.min(500, Math.floor(pageSize)),
    ratePerSecond: num('gateway-rate', v['gateway-rate'], 10, 0.01),
    burst: num('gateway-burst', v['gateway-burst'], 20, 1),
    allowInsecureHttp: Boolean(v['allow-insecure-http']),
    caBundle: v['ca-bundle'],
    proxyUrl: v['https-proxy'] ?? env.HTTPS_PROXY,
  };
}

function parseGateway(
  raw: string,
  d: { region?: string; projectId?: string; endpoint?: string; iamEndpoint?: string },
): GatewaySpec {
  const [head = '', ...opts] = raw.split(',');
  const m = /^([a-z]+):([A-Za-z0-9-]+)$/.exec(head.trim());
  const service = m ? SERVICES[m[1]!] : undefined;
  if (!m || !service) throw new Error(`--gateway ${raw}: expected apig:INSTANCE_ID or roma:INSTANCE_ID`);
  const o: Record<string, string> = {};
  for (const kv of opts) {
    const [k, ...rest] = kv.split('=');
    if (!k || rest.length === 0 || !['name', 'region', 'project', 'endpoint', 'iam'].includes(k))
      throw new Error(`--gateway ${raw}: unknown option "${kv}" (name, region, project, endpoint, iam)`);
    o[k] = rest.join('=');
  }
  const projectId = o.project ?? d.projectId;
  if (!projectId) throw new Error(`--gateway ${raw}: no project (give --project-id or project=)`);
  const region = o.region ?? d.region;
  const endpoint = o.endpoint ?? d.endpoint;
  if (!region && !endpoint)
    throw new Error(`--gateway ${raw}: no region or endpoint (--region / --endpoint)`);
  const ref: GatewayRef = { service, projectId, instanceId: m[2]! };
  if (region) ref.region = region;
  if (endpoint) ref.endpoint = endpoint;
  const iam = o.iam ?? d.iamEndpoint;
  if (iam) ref.iamEndpoint = iam;
  return { ref, label: o.name ?? m[2]! };
}
