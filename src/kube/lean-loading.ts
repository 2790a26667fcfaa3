// Loaded by main.ts before anything imports @kubernetes/client-node: a module resolve hook hands the
// library's config.js a slim stand-in for its generated-client index (client-node-gen.ts), so the
// process pays for kubeconfig and auth only. Must not import the library itself (hooks apply only to
// modules resolved after registration).
import { createRequire, registerHooks } from 'node:module';

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

// node:http exports WebSocket, CloseEvent and MessageEvent through getters that load Node's own bundled
// undici (a second copy beside the undici package), and an ESM import of a built-in module reads every
// export: each `import … from 'node:http'` (ours, client-node's) compiled that bundle although nothing
// here uses them (13 MiB of RSS in a bare process; ~3 MiB in the operator, steady and at start-up). The
// getters become stand-ins that load it on first use.
const DEFERRED_HTTP_EXPORTS = ['WebSocket', 'CloseEvent', 'MessageEvent'];

export function deferHttpWebSocketExports(): void {
  const http = createRequire(import.meta.url)('node:http') as Record<string, unknown>;
  for (const name of DEFERRED_HTTP_EXPORTS) {
    const d = Object.getOwnPropertyDescriptor(http, name);
    if (!d?.get || !d.configurable) continue; // already a value: read before, or a Node without them
    const real = d.get.bind(http) as () => object;
    Object.defineProperty(http, name, {
      configurable: true,
      enumerable: d.enumerable ?? true,
      writable: true,
      value: standIn(real),
    });
  }
}

/** A class-like proxy that acts as `real()` (new, instanceof, statics) and calls it only when used. */
function standIn(real: () => object): object {
  type Class = new (...args: unknown[]) => object;
  const cls = () => real() as Class;
  const proxy: object = new Proxy(function deferred() {}, {
    get: (_t, key) => Reflect.get(cls(), key),
    has: (_t, key) => Reflect.has(cls(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(cls()),
    apply: (_t, self, args) => Reflect.apply(cls() as unknown as (...a: unknown[]) => unknown, self, args),
    // `new X()` constructs the real class; a subclass (`class Y extends X`) keeps its own new.target.
    construct: (_t, args, newTarget) =>
      Reflect.construct(cls(), args, newTarget === proxy ? cls() : newTarget),
  });
  return proxy;
}
