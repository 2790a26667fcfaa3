// Entry point: `npm start` (or `node dist/src/main.js` in the image). Flags and environment in config.ts.
import { loadConfig, usage } from './config.ts';
import { deferHttpWebSocketExports, registerLeanClientNode } from './kube/lean-loading.ts';
import { createLogger } from './observability/logger.ts';

// Before the operator's modules are resolved: they load @kubernetes/client-node without its generated clients.
registerLeanClientNode();
deferHttpWebSocketExports();
const { startOperator } = await import('./operator.ts');

if (process.argv.includes('--help')) {
  console.log(
    `apig-cert-sync: keeps API Gateway / ROMA Connect domains serving cert-manager certificates\n\n${usage()}`,
  );
  process.exit(0);
}

let cfg: ReturnType<typeof loadConfig>;
try {
  cfg = loadConfig(process.argv.slice(2));
} catch (err) {
  console.error(`apig-cert-sync: ${(err as Error).message}\n\n${usage()}`);
  process.exit(2);
}
const logger = createLogger(cfg.logLevel);
try {
  const op = await startOperator(cfg, logger);
  logger.info(
    { metrics: op.metricsUrl, probes: op.probeUrl, identity: cfg.identity },
    'apig-cert-sync started',
  );
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void op.stop(sig));
  await op.done;
  logger.info('stopped');
  process.exit(0);
} catch (err) {
  logger.fatal({ err: String(err) }, 'apig-cert-sync failed to start');
  process.exit(1);
}
