// The operator process loads @kubernetes/client-node's kubeconfig/auth part only: main.ts registers
// lean-loading's hook, and then none of the generated API clients or models is resolved.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const src = (p: string) => pathToFileURL(resolve(import.meta.dirname, '../../src', p)).href;

// Loads the operator's modules the way main.ts does, records every module URL resolved, and loads a
// kubeconfig to prove the slim stand-in satisfies config.js.
const script = (lean: boolean) => `
import { registerHooks } from 'node:module';
if (${lean}) (await import(${JSON.stringify(src('kube/lean-loading.ts'))})).registerLeanClientNode();
const seen = [];
registerHooks({ resolve(s, c, next) { const r = next(s, c); seen.push(r.url); return r; } });
await import(${JSON.stringify(src('operator.ts'))});
const { KubeConfig } = await import(${JSON.stringify(src('kube/client-node.ts'))});
const kc = new KubeConfig();
kc.loadFromString(JSON.stringify({ apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
  clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }],
  users: [{ name: 'u', user: { token: 't0ken' } }],
  contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }] }));
const { RequestContext, HttpMethod } = await import(${JSON.stringify(src('kube/client-node.ts'))});
const ctx = new RequestContext('https://127.0.0.1:1/api', HttpMethod.GET);
await kc.applySecurityAuthentication(ctx);
globalThis.gc();
console.log(JSON.stringify({ seen, auth: ctx.getHeaders().Authorization, heap: process.memoryUsage().heapUsed }));
`;

async function load(lean: boolean) {
  const { stdout } = await run(process.execPath, ['--expose-gc', '--input-type=module', '-e', script(lean)], {
    cwd: resolve(import.meta.dirname, '../..'),
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { seen: string[]; auth: string; heap: number };
}

const generated = (urls: string[]) =>
  urls.filter((u) => /@kubernetes\/client-node\/dist\/gen\/(apis|models|types)\//.test(u));

describe('lean loading of @kubernetes/client-node', () => {
  it('resolves none of the generated clients or models, and kubeconfig auth still works', async () => {
    const [lean, full] = await Promise.all([load(true), load(false)]);
    expect(lean.auth).toBe('Bearer t0ken');
    expect(lean.seen.some((u) => u.endsWith('/@kubernetes/client-node/dist/config.js'))).toBe(true);
    expect(generated(lean.seen)).toEqual([]);
    // Without the hook the same imports pull in hundreds of generated files: the check above can fail.
    expect(generated(full.seen).length).toBeGreaterThan(100);
    expect(full.auth).toBe('Bearer t0ken');
    // The heap difference the hook makes (figures vary; the direction does not).
    expect(lean.heap).toBeLessThan(full.heap - 8 * 1048576);
  }, 60_000);
});

// Node's own bundled undici (behind node:http's WebSocket, CloseEvent and MessageEvent getters) stays
// unloaded through the operator's imports, and the three exports still work when someone uses them.
const httpScript = (defer: boolean) => `
if (${defer}) (await import(${JSON.stringify(src('kube/lean-loading.ts'))})).deferHttpWebSocketExports();
const bundled = () => process.moduleLoadList.some((m) => m.includes('deps/undici'));
const http = await import('node:http');
await import(${JSON.stringify(src('operator.ts'))});
const afterImports = bundled();
const e = new http.MessageEvent('message', { data: 7 });
class Sub extends http.CloseEvent {}
const sub = new Sub('close', { code: 1000 });
console.log(JSON.stringify({ afterImports, afterUse: bundled(), data: e.data, isEvent: e instanceof http.MessageEvent,
  sub: sub instanceof Sub && sub instanceof http.CloseEvent && sub.code === 1000, ws: typeof http.WebSocket.prototype.send }));
`;

describe("node:http's WebSocket exports", () => {
  it('load Node’s bundled undici on first use, not on import; without the deferral every import loads it', async () => {
    const runScript = async (defer: boolean) => {
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', httpScript(defer)], {
        cwd: resolve(import.meta.dirname, '../..'),
      });
      return JSON.parse(stdout.trim().split('\n').at(-1)!);
    };
    const [deferred, plain] = await Promise.all([runScript(true), runScript(false)]);
    expect(deferred).toEqual({
      afterImports: false,
      afterUse: true,
      data: 7,
      isEvent: true,
      sub: true,
      ws: 'function',
    });
    expect(plain).toMatchObject({ afterImports: true, data: 7, isEvent: true, sub: true });
  }, 60_000);
});
