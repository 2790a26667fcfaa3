// The operator's two small HTTP servers, as controller-runtime has them: probes (/healthz: the
// process and its loops are alive; /readyz: caches synced and watching) and metrics (/metrics).
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

type Route = () => Promise<{ status: number; contentType: string; body: string }>;

export function probeRoutes(checks: { live: () => boolean; ready: () => boolean }): Record<string, Route> {
  const probe =
    (ok: () => boolean): Route =>
    async () =>
      ok()
        ? { status: 200, contentType: 'text/plain', body: 'ok\n' }
        : { status: 503, contentType: 'text/plain', body: 'not ready\n' };
  return { '/healthz': probe(checks.live), '/readyz': probe(checks.ready) };
}

export function metricsRoutes(registry: Registry): Record<string, Route> {
  return {
    '/metrics': async () => ({
      status: 200,
      contentType: registry.contentType,
      body: await registry.metrics(),
    }),
  };
}

export async function startHttpServer(
  address: string,
  routes: Record<string, Route>,
): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const route = routes[(req.url ?? '/').split('?')[0] ?? '/'];
    if (!route || req.method !== 'GET') {
      res.writeHead(404).end();
      return;
    }
    try {
      const r = await route();
      res.writeHead(r.status, { 'content-type': r.contentType }).end(r.body);
    } catch {
      res.writeHead(500).end();
    }
  });
  const { host, port } = parseAddress(address);
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok());
  });
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return { server, url: `http://${shownHost}:${actual}` };
}

/** ":8080", "0.0.0.0:8080", "127.0.0.1:0" → host and port (Go-style bind addresses). */
export function parseAddress(address: string): { host: string; port: number } {
  const idx = address.lastIndexOf(':');
  const host = idx > 0 ? address.slice(0, idx) : '0.0.0.0';
  const port = Number(address.slice(idx + 1));
  if (idx < 0 || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`invalid address "${address}"`);
  return { host, port };
}
