// Entry point of the inventory command: `npm run inventory -- …` or, in the image,
// `node dist/src/inventory/main.js …` (flags: --help, README "Inventory").
import { runInventory } from './run.ts';

const code = await runInventory(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
});
process.exitCode = code;
