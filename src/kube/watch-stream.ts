// One watch request, bounded in time: the API server must answer within `firstByteMs` and end the
// stream itself after `timeoutSeconds` (sending a bookmark just before); a stream still open
// `graceMs` after that is stalled (a half-open connection, a frozen proxy) and is aborted. So a
// silent stall is noticed within timeoutSeconds + grace, never after one long inactivity timer.
import { type Dispatcher, fetch } from 'undici';
import { HttpMethod, type KubeConfig, RequestContext } from './client-node.ts';
import { KubeApiError } from './http.ts';

export interface WatchStreamOptions {
  path: string;
  query: Record<string, string | number | boolean | undefined>;
  timeoutSeconds: number;
  /** Accept header; default application/json. */
  accept?: string;
  firstByteMs: number;
  graceMs: number;
  /** Aborts the stream (stop()). */
  signal: AbortSignal;
  /**
   * The watch's own connection, kept by the caller from one watch to the next: a re-watch every
   * timeoutSeconds then costs no TLS handshake. Emptied (and closed) after a stall or a network error.
   */
  connection: WatchConnection;
  /** Called when the server has answered 200: the watch is live. */
  onOpen: () => void;
  onEvent: (type: string, object: unknown) => void;
}

export interface WatchConnection {
  dispatcher?: Dispatcher | undefined;
}

/** Closes the connection at once and forgets it: the next watch opens a new one. */
export function dropConnection(c: WatchConnection): void {
  const d = c.dispatcher;
  if (!d) return;
  c.dispatcher = undefined;
  d.destroy().catch(() => {});
}

export class WatchStalledError extends Error {
  override readonly name = 'WatchStalledError';
}

/** Resolves when the server ends the stream (or stop), rejects on an error, a status, or a stall. */
export async function watchStream(kc: KubeConfig, o: WatchStreamOptions): Promise<void> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/$/, '') + o.path);
  url.searchParams.set('watch', 'true');
  url.searchParams.set('timeoutSeconds', String(o.timeoutSeconds));
  for (const [k, v] of Object.entries(o.query))
    if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  const ctx = new RequestContext(url.toString(), HttpMethod.GET);
  await kc.applySecurityAuthentication(ctx);

  const ctrl = new AbortController();
  let stalled: string | undefined;
  const stall = (what: string) => {
    stalled = what;
    ctrl.abort();
  };
  const onStop = () => ctrl.abort();
  o.signal.addEventListener('abort', onStop, { once: true });
  if (o.signal.aborted) ctrl.abort();
  let timer = setTimeout(() => stall(`no answer within ${o.firstByteMs} ms`), o.firstByteMs);
  // A connection of its own (not kubeRequest's pool): a watch reopened after a stall must not be handed
  // an idle pooled socket that is just as frozen (test/kube/reflector.test.ts).
  const { connection } = o;
  connection.dispatcher ??= ctx.getDispatcher();
  try {
    const res = await fetch(url, {
      headers: { ...ctx.getHeaders(), accept: o.accept ?? 'application/json' },
      dispatcher: connection.dispatcher,
      signal: ctrl.signal,
    });
    clearTimeout(timer);
    if (res.status !== 200) {
      const text = await res.text().catch(() => '');
      let status: { message?: string; reason?: string } = { message: text.slice(0, 200) };
      try {
        status = JSON.parse(text);
      } catch {}
      throw new KubeApiError('WATCH', o.path, res.status, status);
    }
    const endBy = o.timeoutSeconds * 1000 + o.graceMs;
    timer = setTimeout(() => stall(`stream still silent ${o.graceMs} ms after the server's deadline`), endBy);
    o.onOpen();
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) {
          const ev = JSON.parse(line) as { type: string; object: unknown };
          o.onEvent(ev.type, ev.object);
        }
        nl = buf.indexOf('\n');
      }
    }
  } catch (err) {
    // The server answered (a status such as 410): the connection is fine. Anything else: not trusted.
    if (!(err instanceof KubeApiError) || stalled) dropConnection(connection);
    if (stalled) throw new WatchStalledError(`watch ${o.path} stalled: ${stalled}`);
    if (o.signal.aborted) return;
    throw err;
  } finally {
    clearTimeout(timer);
    o.signal.removeEventListener('abort', onStop);
  }
}
