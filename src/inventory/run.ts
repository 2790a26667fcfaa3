// The inventory command, testable in-process: flags in, report out, exit code back.
// 0: listed (and pruned) cleanly; 1: some listing or delete failed (what was listed is still shown);
// 2: bad flags or credentials.
import { readFileSync } from 'node:fs';
import { gatewayEndpoints } from '../controller/gateway-pool.ts';
import { createGatewayClient, type GatewayClient, type GatewayCredentials } from '../gateway/index.ts';
import type { KubeConfig } from '../kube/client-node.ts';
import { type InventoryArgs, inventoryUsage, parseInventoryArgs } from './args.ts';
import { listResources, loadKubeConfig } from './cluster.ts';
import { collectInventory, type InventoryTarget } from './collect.ts';
import { loadInventoryCredentials } from './credentials.ts';
import { prune } from './prune.ts';
import { render } from './render.ts';

export interface InventoryIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  now?: () => Date;
}

export async function runInventory(argv: string[], io: InventoryIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(`${inventoryUsage()}\n`);
    return 0;
  }
  let args: InventoryArgs;
  let credentials: GatewayCredentials;
  let kc: KubeConfig | undefined;
  const cluster = () => {
    kc ??= loadKubeConfig(args.kubeconfig);
    return kc;
  };
  try {
    args = parseInventoryArgs(argv, io.env);
    credentials = await loadInventoryCredentials({
      secret: args.credentialsSecret,
      file: args.credentialsFile,
      env: io.env,
      kubeConfig: cluster,
    });
  } catch (err) {
    io.stderr(`inventory: ${(err as Error).message}\n\n${inventoryUsage()}\n`);
    return 2;
  }
  const clients: GatewayClient[] = [];
  try {
    const targets = args.gateways.map((g, i): InventoryTarget => {
      const client = createGatewayClient({
        ...gatewayEndpoints(g.ref),
        ...(i === 0 && args.scmEndpoint ? { scmEndpoint: args.scmEndpoint } : {}),
        family: g.ref.service === 'apig' ? 'apigw' : 'apic',
        projectId: g.ref.projectId,
        credentials,
        allowInsecureHttp: args.allowInsecureHttp,
        rateLimit: { ratePerSecond: args.ratePerSecond, burst: args.burst },
        ...(args.caBundle ? { caBundle: readFileSync(args.caBundle, 'utf8') } : {}),
        ...(args.proxyUrl ? { proxyUrl: args.proxyUrl } : {}),
      });
      clients.push(client);
      return { label: g.label, instanceId: g.ref.instanceId ?? '', client };
    });
    const resources = args.cluster ? await listResources(cluster()) : undefined;
    const report = await collectInventory({
      gateways: targets,
      ...(args.scm ? { scm: targets[0]!.client } : {}),
      ...(resources ? { resources } : {}),
      warnDays: args.warnDays,
      now: io.now?.() ?? new Date(),
      ...(args.pageSize ? { pageSize: args.pageSize } : {}),
    });
    io.stdout(await render(report, args.output));
    for (const e of report.errors) io.stderr(`inventory: ${e.source}: ${e.message}\n`);
    let failed = report.errors.length > 0;
    if (args.prune) {
      if (!report.cluster)
        io.stderr('inventory: --prune needs the cluster to know what is unowned; nothing pruned\n');
      for (const o of await prune(report, targets, args.confirm)) {
        const what = `${o.row.name} (${o.row.id}) on ${o.row.gateway}`;
        io.stderr(`prune: ${o.action} ${what}${o.detail ? `: ${o.detail}` : ''}\n`);
        if (o.action === 'failed') failed = true;
      }
      if (!args.confirm) io.stderr('prune: dry run; add --confirm to delete\n');
    }
    return failed ? 1 : 0;
  } catch (err) {
    io.stderr(`inventory: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await Promise.allSettled(clients.map((c) => c.close()));
  }
}
