// The Huawei Cloud gateway emulator as a library: `startEmulator()` listens on loopback and answers
// the APIG / ROMA Connect certificate calls, SCM listing and IAM tokens (see README.md).
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { parseAuthorization } from './aksk.ts';
import { AuthFailure, type AuthScheme, authenticate, type Caller, TokenStore } from './auth.ts';
import { type CallEntry, type CallLog, CallRecorder, shapeOf } from './calls.ts';
import { ApiError, errors } from './errors.ts';
import { type Decision, FaultInjector, type FaultKind, type Faults, type LostReply } from './faults.ts';
import type { Ctx, Reply } from './ops/context.ts';
import { match } from './routes.ts';
import { defaultSeed, type Seed, validateSeed } from './seed.ts';
import { type StateSnapshot, servedBy, snapshot } from './snapshot.ts';
import { Store } from './store.ts';

export type { CallEntry, CallLog } from './calls.ts';
export type { Faults, ScriptedFault } from './faults.ts';
export type { Seed } from './seed.ts';
export type { StateSnapshot } from './snapshot.ts';

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  seed?: Seed;
  faults?: Partial<Faults>;
  /** Serve HTTPS with this certificate instead of HTTP. */
  tls?: { certPem: string; keyPem: string };
  /** IAM token lifetime; default 24 h. */
  tokenTtlSeconds?: number;
  /** Called after every logged cloud call (main.ts prints them to stderr). */
  onCall?: (entry: CallEntry) => void;
}

export interface Emulator {
  url: string;
  seed: Seed;
  /** A fresh snapshot on every read. */
  readonly state: StateSnapshot;
  /** The live model, for tests that need to arrange unusual states directly. */
  store: Store;
  faults(): Faults;
  setFaults(f: Partial<Faults>): void;
  resetFaults(): void;
  calls(): CallLog;
  resetCalls(): void;
  /** Makes every token issued so far invalid (401 APIG.1002 from then on). */
  expireTokens(): void;
  close(): Promise<void>;
}

const SAFE_ID = /^[A-Za-z0-9-]{1,64}$/;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.status === 204 || reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  const text = JSON.stringify(reply.body);
  headers['content-type'] = 'application/json;charset=UTF-8';
  headers['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(reply.status, headers).end(text);
}

/** A stored write's answer never arrives whole: what a load balancer or a flaky network makes of it. */
function loseReply(
  kind: LostReply,
  req: IncomingMessage,
  res: ServerResponse,
  log: (status: number | null, code: string | null) => void,
): void {
  if (kind === 'lost-504') {
    // A load balancer gave up waiting: HTML, not the gateway's JSON error body.
    const html = '<html><body><h1>504 Gateway Time-out</h1></body></html>';
    res.writeHead(504, { 'content-type': 'text/html', 'content-length': String(html.length) }).end(html);
    log(504, null);
    return;
  }
  log(null, null);
  req.socket.destroy();
}

const errorReply = (e: ApiError): Reply => ({ status: e.status, body: e.body(), headers: e.headers });

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const seed = validateSeed(opts.seed ?? defaultSeed());
  const store = new Store(seed);
  const tokens = new TokenStore((opts.tokenTtlSeconds ?? 86_400) * 1000);
  const faults = new FaultInjector();
  if (opts.faults) faults.set(opts.faults);
  const recorder = new CallRecorder();
  const hung = new Set<ServerResponse>();
  const sockets = new Set<Socket>();

  const admin = (method: string, path: string, raw: Buffer, query: string): Reply => {
    const body = (): Record<string, unknown> => {
      try {
        return JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        throw errors.badBody();
      }
    };
    const key = `${method} ${path.replace(/\/$/, '')}`;
    switch (key) {
      case 'GET /__admin/state':
        return { status: 200, body: snapshot(store) };
      case 'GET /__admin/served': {
        // One domain's served certificate: the whole state at 10,000 domains took the benchmark seconds.
        const q = new URLSearchParams(query);
        return { status: 200, body: servedBy(store, q.get('instance_id') ?? '', q.get('domain') ?? '') };
      }
      case 'GET /__admin/seed':
        return { status: 200, body: seed };
      case 'GET /__admin/calls':
        return { status: 200, body: recorder.log() };
      case 'POST /__admin/calls/reset':
        recorder.reset();
        return { status: 204 };
      case 'GET /__admin/faults':
        return { status: 200, body: faults.current };
      case 'POST /__admin/faults':
        try {
          return { status: 200, body: faults.set(body() as Partial<Faults>) };
        } catch (e) {
          if (e instanceof ApiError) throw e;
          return { status: 400, body: { error_code: 'ADMIN.400', error_msg: (e as Error).message } };
        }
      case 'POST /__admin/faults/reset':
        faults.reset();
        return { status: 200, body: faults.current };
      case 'POST /__admin/tokens/expire':
        tokens.expireAll();
        return { status: 204 };
      default:
        return { status: 404, body: { error_code: 'ADMIN.404', error_msg: `no admin endpoint ${key}` } };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now(); // arrival; the wall-clock `at` is derived from it
    const requestId = randomBytes(16).toString('hex');
    res.setHeader('X-Request-Id', requestId);
    const raw = await readBody(req);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const method = (req.method ?? 'GET').toUpperCase();

    if (path.startsWith('/__admin/')) {
      try {
        send(res, admin(method, path, raw, rawQuery));
      } catch (e) {
        send(res, errorReply(e instanceof ApiError ? e : errors.system()));
      }
      return;
    }

    let m: ReturnType<typeof match>;
    try {
      m = match(method, path);
    } catch {
      m = undefined; // malformed percent-encoding
    }
    const operation = m?.route.operation ?? 'Unknown';
    const family = (m?.params.family as 'apigw' | 'apic' | undefined) ?? null;
    let caller: Caller = { scheme: 'none', account: '' };
    let authFailure: string | null = null;
    let fault: FaultKind | null = null;

    const log = (status: number | null, errorCode: string | null): void => {
      const entry = recorder.add({
        at: new Date(performance.timeOrigin + started).toISOString(),
        method,
        path,
        query: rawQuery,
        operation,
        family,
        status,
        error_code: errorCode,
        auth: caller.scheme as AuthScheme,
        account: caller.account || null,
        auth_failure: authFailure,
        fault,
        request_id: requestId,
        arrived_ms: Math.round((performance.timeOrigin + started) * 1000) / 1000,
        duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
        request: {
          headers: Object.keys(req.headers).sort(),
          signed_headers: parseAuthorization(req.headers.authorization)?.signedHeaders ?? null,
          body: shapeOf(raw),
        },
      });
      opts.onCall?.(entry);
    };

    const reply = (r: Reply): void => {
      send(res, r);
      const code = (r.body as { error_code?: string } | undefined)?.error_code ?? null;
      log(r.status, code);
    };

    if (!m) {
      reply(errorReply(errors.noSuchApi()));
      return;
    }
    const { route, params } = m;

    let decision: Decision = { kind: 'none' };
    if (faults.applies(operation)) {
      if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
      decision = faults.decide();
    }
    if (decision.kind === 'hang') {
      fault = 'hang';
      hung.add(res);
      log(null, null);
      return;
    }
    if (decision.kind === 'drop') {
      fault = 'drop';
      log(null, null);
      req.socket.destroy();
      return;
    }
    if (decision.kind === 'error') {
      fault = decision.fault;
      reply(errorReply(decision.error));
      return;
    }

    try {
      if (route.service !== 'iam') {
        try {
          caller = authenticate({ method, url, headers: req.headers, body: raw }, seed, tokens);
        } catch (e) {
          if (!(e instanceof AuthFailure)) throw e;
          authFailure = e.message;
          throw route.service === 'scm' ? errors.scmUnauthorized() : errors.unauthorized();
        }
        const limited = faults.throttle(caller.account);
        if (limited) {
          fault = 'throttle';
          throw limited;
        }
      }
      for (const [name, value] of Object.entries(params)) {
        if (name !== 'family' && !SAFE_ID.test(value)) throw errors.invalidParam(name);
      }
      if (params.project_id !== undefined) {
        // Documented choice: an unknown project is 404 APIG.3030 for both schemes; an AK/SK call
        // whose X-Project-Id names another project than the path is 403 APIG.1005.
        if (params.project_id !== store.projectId) throw errors.instanceNotFound();
        const xp = req.headers['x-project-id'];
        if (typeof xp === 'string' && xp !== params.project_id) throw errors.forbidden();
      }
      const ctx: Ctx = {
        method,
        path,
        query: new URLSearchParams(rawQuery),
        params,
        raw,
        family,
        store,
        seed,
        tokens,
      };
      const answer = route.handler(ctx);
      // The write is stored; now its answer may be lost on the way back (faults.lostReply).
      const lost =
        route.write && answer.status < 300 && faults.applies(operation) ? faults.lostReply() : undefined;
      if (lost) {
        fault = lost;
        if (lost === 'lost-timeout') {
          const timer = setTimeout(() => loseReply(lost, req, res, log), faults.lostReplyDelayMs);
          res.on('close', () => clearTimeout(timer));
        } else loseReply(lost, req, res, log);
        return;
      }
      reply(answer);
    } catch (e) {
      if (e instanceof ApiError) reply(errorReply(e));
      else {
        process.stderr.write(`emulator: ${operation} failed: ${(e as Error).stack ?? String(e)}\n`);
        reply(errorReply(errors.system()));
      }
    }
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e: unknown) => {
      process.stderr.write(`emulator: ${(e as Error).message}\n`);
      if (!res.headersSent) send(res, errorReply(errors.system()));
    });
  };
  const server = opts.tls
    ? https.createServer({ cert: opts.tls.certPem, key: opts.tls.keyPem }, listener)
    : http.createServer(listener);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `${opts.tls ? 'https' : 'http'}://${host}:${port}`;

  return {
    url,
    seed,
    get state() {
      return snapshot(store);
    },
    store,
    faults: () => faults.current,
    setFaults: (f) => {
      faults.set(f);
    },
    resetFaults: () => faults.reset(),
    calls: () => recorder.log(),
    resetCalls: () => recorder.reset(),
    expireTokens: () => tokens.expireAll(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const r of hung) r.destroy();
        hung.clear();
        for (const s of sockets) s.destroy();
      }),
  };
}
