// A tiny scripted HTTP server for the client's unit tests: records every request and answers with
// whatever the test's handler returns.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer (for timeout tests). */
  hang?: boolean;
}

export type Handler = (req: Recorded) => Answer | Promise<Answer>;

export interface FakeServer {
  url: string;
  requests: Recorded[];
  connections: number;
  handle: (h: Handler) => void;
  close: () => Promise<void>;
  server: Server;
}

export async function startFakeServer(
  handler: Handler = () => ({ status: 200, body: {} }),
): Promise<FakeServer> {
  let current = handler;
  const state: FakeServer = {
    url: '',
    requests: [],
    connections: 0,
    handle: (h) => {
      current = h;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
    server: undefined as unknown as Server,
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const u = new URL(req.url ?? '/', 'http://x');
    const rec: Recorded = {
      method: req.method ?? '',
      url: req.url ?? '',
      path: u.pathname,
      query: u.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    state.requests.push(rec);
    const a = await current(rec);
    if (a.hang) return;
    const text = a.body === undefined ? '' : typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
    res.writeHead(a.status, {
      'content-type': 'application/json',
      'x-request-id': `req-${state.requests.length}`,
      ...a.headers,
    });
    res.end(text);
  });
  server.on('connection', () => {
    state.connections++;
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.server = server;
  return state;
}

export const PROJECT = '73d69ae0cfcf460190522d06b60f05ad';
export const AKSK = {
  kind: 'aksk' as const,
  accessKey: 'HPUATESTACCESSKEY01',
  secretKey: 'sk-very-secret-0123456789abcdefghijklmn',
};
export const FAST_RETRY = { baseDelayMs: 1, throttledBaseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 50 };

let accountSeq = 0;
/** A fresh access key per test, so the per-account rate limiter and token cache never leak between tests. */
export function freshAksk() {
  accountSeq++;
  return { ...AKSK, accessKey: `${AKSK.accessKey}${accountSeq}${Date.now()}` };
}
