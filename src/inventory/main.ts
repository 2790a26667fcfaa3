// Entry point of the inventory command: `npm run inventory -- …` or, in the image,
// `node dist/src/inventory/main.js …` (flags: --help, README "Inventory").
import { deferHttpWebSocketExports, registerLeanClientNode } from '../kube/lean-loading.ts';

// As for the operator: kubeconfig and auth without client-node's generated clients (YAML output
// loads the full library on demand).
registerLeanClientNode();
deferHttpWebSocketExports();
const { runInventory } = await import('./run.ts');
const code = await runInventory(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
});
process.exitCode = code;
