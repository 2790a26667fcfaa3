// Transport: one keep-alive undici dispatcher per endpoint, timeouts, rate limiting, retries with
// full-jitter backoff, 401 re-authentication, metrics and debug logs. Knows nothing about the calls.
import type { LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import { type Dispatcher, Pool, ProxyAgent } from 'undici';
import { errorBody, header, parseJson, retryAfterMs } from './answers.ts';
import { type BreakerOptions, breakerFor } from './circuit-breaker.ts';
import { classify, fromNetworkError, GatewayError } from './errors.ts';
import type { CallEvent, GatewayLogger, OperationName, RetryOptions, TimeoutOptions } from './options.ts';
import { sleep, type TokenBucket } from './rate-limiter.ts';
import { urlEncode } from './signer.ts';

/** What an auth scheme sees and may add headers to, just before sending. */
export interface OutgoingRequest {
  method: string;
  /** scheme://host[:port] */
  origin: string;
  /** host[:port] exactly as the Host header carries it. */
  host: string;
  /** Percent-encoded path, no query. */
  path: string;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  /** The exact bytes to be sent. */
  body: string | undefined;
}

export interface AuthScheme {
  /** Adds credentials to the request; returns the credential used (a token), if any, for `unauthorized`. */
  authorize(req: OutgoingRequest): Promise<string | undefined>;
  /** After a 401: forget `used`; true when a retry with fresh credentials is worth one try. */
  unauthorized(used: string | undefined): boolean;
}

export interface CallSpec {
  operation: OperationName;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Base URL of the service (endpoint, IAM or SCM). */
  base: URL;
  /** Path segments, each encoded here: `['v2', projectId, 'apigw', 'certificates', id]`. */
  segments: string[];
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  auth?: AuthScheme;
  limiter?: TokenBucket;
  /**
   * Whether re-sending after an unknown outcome (timeout, reset after sending) is safe. Creates are
   * not: the API has no de-duplication, so a blind retry could make a second certificate.
   */
  idempotent: boolean;
  /** Error answers that mean the goal is already reached (e.g. detach of nothing bound). */
  acceptError?: (status: number, errorCode: string | undefined) => boolean;
}

export interface CallResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface TransportOptions {
  timeouts?: TimeoutOptions;
  retry?: RetryOptions;
  caBundle?: string;
  proxyUrl?: string;
  logger?: GatewayLogger;
  onCall?: (e: CallEvent) => void;
  /** Jitter source, injectable for tests. */
  random?: () => number;
  /** Per-origin circuit breaker settings; false: none (tests of raw retry behaviour). */
  breaker?: BreakerOptions | false;
  /** DNS lookup for direct connections (the endpoint policy's guard against private addresses). */
  lookup?: LookupFunction;
}

// Cloud API calls answer in well under a second; a gateway silent for 10 s is not going to answer.
const DEFAULTS = {
  connectMs: 5_000,
  firstByteMs: 10_000,
  totalMs: 15_000,
  maxAttempts: 4,
  baseDelayMs: 200,
  throttledBaseDelayMs: 2_000,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 30_000,
};

const CIRCUIT_OPEN = 'CIRCUIT_OPEN';
// Failures that say the endpoint is not answering at all: they count towards its circuit breaker.
const DEAD_ENDPOINT_CODES = new Set(['TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

// Errors raised before any byte of the request left: safe to retry even for non-idempotent calls.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENDPOINT_REFUSED',
]);

export class Transport {
  private readonly dispatchers = new Map<string, Dispatcher>();
  private readonly t: Required<TimeoutOptions>;
  private readonly r: Required<RetryOptions>;
  private readonly ca: string[] | undefined;
  private closed = false;
  private readonly opts: TransportOptions;

  constructor(opts: TransportOptions) {
    this.opts = opts;
    this.t = {
      connectMs: opts.timeouts?.connectMs ?? DEFAULTS.connectMs,
      firstByteMs: opts.timeouts?.firstByteMs ?? DEFAULTS.firstByteMs,
      totalMs: opts.timeouts?.totalMs ?? DEFAULTS.totalMs,
    };
    this.r = {
      maxAttempts: Math.max(1, opts.retry?.maxAttempts ?? DEFAULTS.maxAttempts),
      baseDelayMs: opts.retry?.baseDelayMs ?? DEFAULTS.baseDelayMs,
      throttledBaseDelayMs: opts.retry?.throttledBaseDelayMs ?? DEFAULTS.throttledBaseDelayMs,
      maxDelayMs: opts.retry?.maxDelayMs ?? DEFAULTS.maxDelayMs,
      maxRetryAfterMs: opts.retry?.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs,
    };
    // A private CA is added to, not substituted for, the platform roots.
    this.ca = opts.caBundle ? [...rootCertificates, opts.caBundle] : undefined;
  }

  async call(spec: CallSpec): Promise<CallResult> {
    let attempt = 0;
    let tries = 0;
    let reauthenticated = false;
    for (;;) {
      attempt++;
      tries++;
      const outcome = await this.attempt(spec, attempt);
      if (outcome.ok) return outcome.result;
      const err = outcome.error;
      if (err.errorCode === CIRCUIT_OPEN) throw err; // fail fast: waiting here would hold a worker
      if (
        err.kind === 'auth' &&
        spec.auth &&
        !reauthenticated &&
        spec.auth.unauthorized(outcome.usedCredential)
      ) {
        reauthenticated = true;
        tries--; // the one re-login retry does not eat into the retry budget
        continue;
      }
      // A non-idempotent write is re-sent only when the gateway surely did not perform it: the request
      // never left, or the gateway itself refused it for throttling. A timeout, a reset or any 5xx
      // (a load balancer's 504 after the gateway stored the upload) leaves the outcome unknown: the
      // caller must find out what the gateway holds before writing again.
      const safe = spec.idempotent || outcome.notSent || err.kind === 'throttled';
      if (!safe && (err.status === undefined || err.status >= 500)) err.outcomeUnknown = true;
      if (!err.retryable || !safe || tries >= this.r.maxAttempts) throw err;
      await sleep(this.delayFor(err, tries));
    }
  }

  /** Full jitter: random(0, min(cap, base * 2^(n-1))); a Retry-After answer wins, capped. */
  delayFor(err: GatewayError, retryNumber: number): number {
    if (err.retryAfterMs !== undefined) return Math.min(err.retryAfterMs, this.r.maxRetryAfterMs);
    const base = err.kind === 'throttled' ? this.r.throttledBaseDelayMs : this.r.baseDelayMs;
    const ceiling = Math.min(this.r.maxDelayMs, base * 2 ** (retryNumber - 1));
    return Math.floor((this.opts.random ?? Math.random)() * ceiling);
  }

  private async attempt(
    spec: CallSpec,
    attempt: number,
  ): Promise<
    | { ok: true; result: CallResult }
    | { ok: false; error: GatewayError; usedCredential?: string | undefined; notSent?: boolean }
  > {
    if (this.closed)
      throw new GatewayError({ operation: spec.operation, kind: 'terminal', errorMsg: 'client closed' });
    const base = spec.base;
    const basePath = base.pathname.replace(/\/+$/, '');
    const path = `${basePath}/${spec.segments.map(urlEncode).join('/')}`;
    const query: Array<[string, string]> = [];
    for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined) query.push([k, String(v)]);
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const req: OutgoingRequest = {
      method: spec.method,
      origin: base.origin,
      host: base.host,
      path,
      query,
      headers: { host: base.host },
      body,
    };
    if (body !== undefined) req.headers['content-type'] = 'application/json';

    const breaker = this.opts.breaker === false ? undefined : breakerFor(base.origin, this.opts.breaker);
    const resumeAt = breaker?.admit();
    if (resumeAt !== undefined) {
      const error = new GatewayError({
        operation: spec.operation,
        kind: 'retryable',
        errorCode: CIRCUIT_OPEN,
        errorMsg: `${base.origin} did not answer ${breaker?.consecutiveFailures} times in a row; not called again before ${new Date(resumeAt).toISOString()}`,
        retryAfterMs: Math.max(0, resumeAt - Date.now()),
      });
      this.report(spec, path, attempt, 0, undefined, CIRCUIT_OPEN);
      return { ok: false, error, notSent: true };
    }
    let verdict: 'alive' | 'dead' | 'unknown' = 'unknown';
    try {
      await spec.limiter?.acquire();
      // A failed IAM login is final here: it was already retried and reported as CreateToken.
      const usedCredential = await spec.auth?.authorize(req);
      const outcome = await this.send(spec, req, attempt, usedCredential);
      if (outcome.ok || outcome.error.status !== undefined) verdict = 'alive';
      else if (DEAD_ENDPOINT_CODES.has(outcome.error.errorCode ?? '')) verdict = 'dead';
      return outcome;
    } finally {
      if (verdict === 'alive') breaker?.succeeded();
      else if (verdict === 'dead') breaker?.failed();
      else breaker?.released();
    }
  }

  private async send(
    spec: CallSpec,
    req: OutgoingRequest,
    attempt: number,
    usedCredential: string | undefined,
  ): Promise<
    | { ok: true; result: CallResult }
    | { ok: false; error: GatewayError; usedCredential?: string | undefined; notSent?: boolean }
  > {
    const { base } = spec;
    const { path, query, body } = req;
    const started = performance.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('timeout')), this.t.totalMs);
    try {
      const qs = query.map(([k, v]) => `${urlEncode(k)}=${urlEncode(v)}`).join('&');
      const res = await this.dispatcher(base.origin).request({
        origin: base.origin,
        method: spec.method,
        path: qs ? `${path}?${qs}` : path,
        headers: req.headers,
        body,
        signal: controller.signal,
        headersTimeout: this.t.firstByteMs,
        bodyTimeout: this.t.firstByteMs,
      });
      const text = await res.body.text();
      const durationMs = performance.now() - started;
      const headers = res.headers as Record<string, string | string[] | undefined>;
      if (res.statusCode >= 200 && res.statusCode < 300) {
        this.report(spec, req.path, attempt, durationMs, res.statusCode);
        const parsed = parseJson(text);
        if (parsed.ok) return { ok: true, result: { status: res.statusCode, headers, body: parsed.value } };
        const error = new GatewayError({
          operation: spec.operation,
          kind: 'terminal',
          status: res.statusCode,
          errorCode: 'INVALID_RESPONSE',
          errorMsg: 'answer is not JSON',
          requestId: header(headers, 'x-request-id'),
        });
        return { ok: false, error };
      }
      const { code, msg } = errorBody(text);
      this.report(spec, req.path, attempt, durationMs, res.statusCode, code, header(headers, 'x-request-id'));
      if (spec.acceptError?.(res.statusCode, code))
        return { ok: true, result: { status: res.statusCode, headers, body: undefined } };
      const error = new GatewayError({
        operation: spec.operation,
        kind: classify(res.statusCode, code),
        status: res.statusCode,
        errorCode: code,
        errorMsg: msg,
        requestId: header(headers, 'x-request-id'),
        retryAfterMs: retryAfterMs(header(headers, 'retry-after')),
      });
      return { ok: false, error, usedCredential };
    } catch (e) {
      const code = (e as { code?: unknown })?.code;
      const firstByte = typeof code === 'string' && TIMEOUT_CODES.has(code);
      const timedOut = controller.signal.aborted || firstByte;
      const error = fromNetworkError(
        spec.operation,
        e,
        timedOut,
        firstByte
          ? `no answer from ${base.origin} within ${this.t.firstByteMs} ms`
          : `${base.origin} did not finish answering within ${this.t.totalMs} ms`,
      );
      this.report(spec, req.path, attempt, performance.now() - started, undefined, error.errorCode);
      return { ok: false, error, notSent: !timedOut && NOT_SENT_CODES.has(error.errorCode ?? '') };
    } finally {
      clearTimeout(timer);
    }
  }

  private report(
    spec: CallSpec,
    path: string,
    attempt: number,
    durationMs: number,
    status?: number,
    errorCode?: string,
    requestId?: string,
  ): void {
    const event: CallEvent = { operation: spec.operation, durationMs: Math.round(durationMs), attempt };
    if (status !== undefined) event.status = status;
    if (errorCode !== undefined) event.errorCode = errorCode;
    try {
      this.opts.onCall?.(event);
    } catch {
      // A failing metrics hook must not fail the call.
    }
    // Only method, path and outcome: never headers, query values or bodies.
    this.opts.logger?.debug({ ...event, method: spec.method, path, requestId }, 'gateway call');
  }

  private dispatcher(origin: string): Dispatcher {
    let d = this.dispatchers.get(origin);
    if (!d) {
      const tls = this.ca ? { ca: this.ca } : {};
      d = this.opts.proxyUrl
        ? new ProxyAgent({
            uri: this.opts.proxyUrl,
            connectTimeout: this.t.connectMs,
            requestTls: tls,
            proxyTls: tls,
            keepAliveTimeout: 30_000,
          })
        : new Pool(origin, {
            connections: 8,
            keepAliveTimeout: 30_000,
            connect: {
              timeout: this.t.connectMs,
              ...tls,
              ...(this.opts.lookup ? { lookup: this.opts.lookup } : {}),
            },
          });
      this.dispatchers.set(origin, d);
    }
    return d;
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.dispatchers.values()];
    this.dispatchers.clear();
    await Promise.all(all.map((d) => d.close().catch(() => undefined)));
  }
}
