// Loaded by main.ts before anything imports @kubernetes/client-node: a module resolve hook hands the
// library's config.js a slim stand-in for its generated-client index (client-node-gen.ts), so the
// process pays for kubeconfig and auth only. Must not import the library itself (hooks apply only to
// modules resolved after registration).
import { registerHooks } from 'node:module';

const own = new URL(import.meta.url);
// .ts when run from source (node src/main.ts), .js when compiled (the image).
const stub = new URL(`./client-node-gen${own.pathname.slice(own.pathname.lastIndexOf('.'))}`, own).href;
const CONFIG = '/@kubernetes/client-node/dist/config.js';

let registered = false;

export function registerLeanClientNode(): void {
  if (registered) return;
  registered = true;
  registerHooks({
    resolve(specifier, context, next) {
      if (specifier === './gen/index.js' && context.parentURL?.endsWith(CONFIG))
        return { url: stub, shortCircuit: true };
      return next(specifier, context);
    },
  });
}
