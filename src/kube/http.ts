// Raw requests to the API server with the kubeconfig's credentials, for the few calls where the
// generated client gets in the way (paginated lists of any resource, merge patches of /status).

import { type Dispatcher, request } from 'undici';
import { HttpMethod, type KubeConfig, RequestContext } from './client-node.ts';
import { withDeadline } from './deadline.ts';

export class KubeApiError extends Error {
  readonly code: number;
  readonly reason: string | undefined;
  constructor(method: string, path: string, code: number, status: { message?: string; reason?: string }) {
    super(`${method} ${path}: ${code} ${status.reason ?? ''} ${status.message ?? ''}`.trim());
    this.name = 'KubeApiError';
    this.code = code;
    this.reason = status.reason;
  }
}

export interface KubeRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  /** Accept header; default application/json. */
  accept?: string;
  signal?: AbortSignal;
}

// client-node builds a new connection pool for every request it authenticates; keeping the first one
// per kubeconfig saves a TLS handshake per call. Headers (bearer tokens, which rotate) are still
// applied per request; client certificates are fixed for the life of the process.
const pools = new WeakMap<KubeConfig, Dispatcher | undefined>();

export async function kubeRequest<T>(kc: KubeConfig, path: string, req: KubeRequest = {}): Promise<T> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/$/, '') + path);
  for (const [k, v] of Object.entries(req.query ?? {})) {
    if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  }
  const method = req.method ?? 'GET';
  const ctx = new RequestContext(url.toString(), HttpMethod[method]);
  await kc.applySecurityAuthentication(ctx);
  const headers: Record<string, string> = { ...ctx.getHeaders(), accept: req.accept ?? 'application/json' };
  let body: string | undefined;
  if (req.body !== undefined) {
    body = JSON.stringify(req.body);
    headers['content-type'] = req.contentType ?? 'application/json';
  }
  // undici's request(), not fetch(): no WHATWG Request/Response/Headers to build, ~40 % less CPU per call
  // (measured: 4.2 vs 7.0 ms a call, 200 ms apart, as a lease renewal or a status write runs: cold code).
  const send = async (signal: AbortSignal) => {
    const res = await request(url, { method, headers, body, dispatcher: pooled(kc, ctx), signal });
    return { status: res.statusCode, text: await res.body.text() };
  };
  // The caller's signal bounds the request when given; otherwise 30 s, cleared when it ends.
  const { status: code, text } = req.signal
    ? await send(req.signal)
    : await withDeadline(30_000, undefined, send);
  if (code < 200 || code > 299) {
    let status: { message?: string; reason?: string } = {};
    try {
      status = JSON.parse(text);
    } catch {
      status = { message: text.slice(0, 200) };
    }
    throw new KubeApiError(method, url.pathname, code, status);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

export function errorCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  return undefined;
}

function pooled(kc: KubeConfig, ctx: RequestContext): Dispatcher | undefined {
  if (!pools.has(kc)) pools.set(kc, ctx.getDispatcher());
  return pools.get(kc);
}
