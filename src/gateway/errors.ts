// One error type for every failed gateway call, classified so callers know whether to retry,
// re-authenticate, or give up. Messages are built only from safe parts and scrubbed of secrets.
import type { OperationName } from './options.ts';

export type GatewayErrorKind = 'terminal' | 'auth' | 'permission' | 'notFound' | 'throttled' | 'retryable';

export interface GatewayErrorInit {
  operation: OperationName | string;
  kind: GatewayErrorKind;
  status?: number;
  errorCode?: string;
  errorMsg?: string;
  requestId?: string;
  /** Seconds or HTTP date from the answer's Retry-After header, already parsed to ms. */
  retryAfterMs?: number;
}

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly operation: string;
  readonly kind: GatewayErrorKind;
  readonly status: number | undefined;
  readonly errorCode: string | undefined;
  readonly errorMsg: string | undefined;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;
  /** A write that may have been performed although it failed (timeout, reset, 5xx): look before re-sending. */
  outcomeUnknown = false;

  constructor(init: GatewayErrorInit) {
    const errorMsg = init.errorMsg === undefined ? undefined : scrub(init.errorMsg);
    const parts = [`${init.operation} failed`];
    if (init.status !== undefined) parts.push(`HTTP ${init.status}`);
    if (init.errorCode) parts.push(init.errorCode);
    let message = parts.join(': ');
    if (errorMsg) message += ` - ${errorMsg}`;
    if (init.requestId) message += ` (request id ${init.requestId})`;
    super(message);
    this.operation = init.operation;
    this.kind = init.kind;
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.errorMsg = errorMsg;
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
  }

  get retryable(): boolean {
    return this.kind === 'retryable' || this.kind === 'throttled';
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      operation: this.operation,
      kind: this.kind,
      status: this.status,
      errorCode: this.errorCode,
      errorMsg: this.errorMsg,
      requestId: this.requestId,
      ...(this.outcomeUnknown ? { outcomeUnknown: true } : {}),
    };
  }
}

const THROTTLED_CODES = new Set(['APIG.9008', 'APIG.0308']);
const RETRYABLE_CODES = new Set(['APIG.9999', 'APIG.3500']);
const AUTH_CODES = new Set(['APIG.1000', 'APIG.1001', 'APIG.1002']);

/** The code table of the docs: codes decide first (APIG.9008 throttling arrives as HTTP 500), then status. */
export function classify(status: number, errorCode?: string): GatewayErrorKind {
  if (errorCode && THROTTLED_CODES.has(errorCode)) return 'throttled';
  if (status === 429) return 'throttled';
  if (errorCode && RETRYABLE_CODES.has(errorCode)) return 'retryable';
  if (status === 401 || (errorCode && AUTH_CODES.has(errorCode))) return 'auth';
  if (status === 403) return 'permission';
  if (status === 404) return 'notFound';
  if (status >= 500) return 'retryable';
  if (status === 408) return 'retryable';
  return 'terminal';
}

// Socket-level failures worth retrying; TLS verification failures are not (the answer won't change).
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS|ERR_SSL|HOSTNAME_MISMATCH/;

/**
 * Turns an undici / socket error into a GatewayError without its cause chain: undici errors can carry
 * request headers (Authorization, X-Auth-Token) and socket details, so only the code and a scrubbed
 * first line survive.
 */
export function fromNetworkError(
  operation: string,
  err: unknown,
  timedOut: boolean,
  timeoutMsg = 'request timed out',
): GatewayError {
  const e = err as
    | { code?: unknown; name?: unknown; message?: unknown; cause?: { code?: unknown } }
    | undefined;
  const code =
    typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  if (timedOut) {
    return new GatewayError({
      operation,
      kind: 'retryable',
      errorCode: 'TIMEOUT',
      errorMsg: timeoutMsg,
    });
  }
  const firstLine = typeof e?.message === 'string' ? (e.message.split('\n')[0] ?? '') : 'network error';
  // The endpoint policy refused the resolved address: the spec must change, retrying cannot help.
  if (code === 'ENDPOINT_REFUSED')
    return new GatewayError({ operation, kind: 'terminal', errorCode: code, errorMsg: firstLine });
  const kind = code && TLS_CODES.test(code) ? 'terminal' : 'retryable';
  return new GatewayError({
    operation,
    kind,
    errorCode: code ?? (typeof e?.name === 'string' ? e.name : 'NETWORK_ERROR'),
    errorMsg: firstLine.slice(0, 200),
  });
}

const registeredSecrets = new Set<string>();

/** Secrets the client holds (secret key, password, tokens): scrubbed from any text that becomes a message. */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 4) registeredSecrets.add(secret);
}

const PEM_BLOCK = /-----BEGIN [^-]*-----[\s\S]*?(-----END [^-]*-----|$)/g;
const BEARERISH =
  /(X-Auth-Token|X-Subject-Token|X-Security-Token|Authorization|password|private_key|secret)(["']?\s*[:=]\s*["']?)[^\s"',}]+/gi;

/** Removes PEM blocks, header/field-looking secrets and every registered secret; caps the length. */
export function scrub(text: string): string {
  let out = text.replace(PEM_BLOCK, '[PEM redacted]').replace(BEARERISH, '$1$2[redacted]');
  for (const s of registeredSecrets) out = out.split(s).join('[redacted]');
  return out.length > 500 ? `${out.slice(0, 500)}…` : out;
}
