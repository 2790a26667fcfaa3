// /healthz (the process is alive and its loops turn), /readyz (caches synced), /metrics.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface HealthChecks {
  live: () => boolean;
  ready: () => boolean;
}

export function startHealthServer(
  address: string,
  checks: HealthChecks,
  registry: Registry,
): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' || path === '/readyz') {
      const ok = path === '/healthz' ? checks.live() : checks.ready();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'not ready\n');
      return;
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
      return;
    }
    res.writeHead(404).end();
  });
  const { host, port } = parseAddress(address);
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const addr = server.address();
      const actual = typeof addr === 'object' && addr ? addr.port : port;
      ok({ server, url: `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${actual}` });
    });
  });
}

/** ":8080", "0.0.0.0:8080", "127.0.0.1:0" → host and port (Go-style bind addresses). */
export function parseAddress(address: string): { host: string; port: number } {
  const idx = address.lastIndexOf(':');
  const host = idx > 0 ? address.slice(0, idx) : '0.0.0.0';
  const port = Number(address.slice(idx + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid address ${address}`);
  return { host, port };
}
