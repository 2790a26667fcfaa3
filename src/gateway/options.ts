// Client options and the hooks (logger, metrics) the client reports through.
import type { EndpointPolicy } from './endpoint-policy.ts';
import type { Family } from './types.ts';

/** Permanent AK/SK, or temporary AK/SK with a security token (signed as X-Security-Token). */
export interface AkSkCredentials {
  kind: 'aksk';
  accessKey: string;
  secretKey: string;
  securityToken?: string;
}

/** IAM password login; the project-scoped token is cached per account and renewed before expiry. */
export interface PasswordCredentials {
  kind: 'password';
  username: string;
  password: string;
  domainName: string;
}

export type GatewayCredentials = AkSkCredentials | PasswordCredentials;

export type OperationName =
  | 'UploadDomainCertificate'
  | 'ShowDomainCertificate'
  | 'DeleteDomainCertificate'
  | 'CreateCertificate'
  | 'ShowCertificate'
  | 'UpdateCertificate'
  | 'DeleteCertificate'
  | 'ListCertificates'
  | 'AttachDomains'
  | 'DetachDomains'
  | 'ListAttachedDomains'
  | 'ListApiGroups'
  | 'ShowApiGroup'
  | 'ListScmCertificates'
  | 'CreateToken';

/** One event per HTTP attempt (retries report attempt 2, 3, ...). */
export interface CallEvent {
  operation: OperationName;
  status?: number;
  errorCode?: string;
  durationMs: number;
  attempt: number;
}

type LogFn = (obj: object, msg?: string) => void;
/** The subset of a pino Logger the client uses. */
export interface GatewayLogger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
}

export interface TimeoutOptions {
  /** TCP + TLS connect, default 5 s. */
  connectMs?: number;
  /** From sending to the answer's headers, and the longest pause between body bytes; default 10 s. */
  firstByteMs?: number;
  /** One attempt from sending to the last body byte, default 15 s. */
  totalMs?: number;
}

export interface RetryOptions {
  /** Attempts per call including the first, default 4. */
  maxAttempts?: number;
  /** Full-jitter backoff: delay = random(0, min(maxDelayMs, baseDelayMs * 2^(attempt-1))). Default 200 ms. */
  baseDelayMs?: number;
  /** Base for throttled answers without Retry-After (the docs advise 2–5 s). Default 2000 ms. */
  throttledBaseDelayMs?: number;
  /** Default 20 s. */
  maxDelayMs?: number;
  /** A server's Retry-After is honoured up to this, default 30 s. */
  maxRetryAfterMs?: number;
}

export interface RateLimitOptions {
  /** Sustained requests per second per account, default 10. */
  ratePerSecond?: number;
  /** Bucket size, default 20. */
  burst?: number;
}

export interface GatewayClientOptions {
  /** https://apig.{region}.myhuaweicloud.com or https://roma.{region}.myhuaweicloud.com */
  endpoint: string;
  family: Family;
  projectId: string;
  credentials: GatewayCredentials;
  /** IAM base URL; default: the endpoint host with its first label replaced by `iam`. */
  iamEndpoint?: string;
  /** SCM base URL; default: the endpoint host with its first label replaced by `scm`. */
  scmEndpoint?: string;
  /** PEM bundle trusted in addition to the platform roots. */
  caBundle?: string;
  /** http(s)://[user:pass@]host:port */
  proxyUrl?: string;
  /** Permit plain http:// endpoints (emulators only). */
  allowInsecureHttp?: boolean;
  /** Which hosts may receive calls (the operator always sets one); none: any host. */
  endpointPolicy?: EndpointPolicy;
  timeouts?: TimeoutOptions;
  retry?: RetryOptions;
  rateLimit?: RateLimitOptions;
  logger?: GatewayLogger;
  onCall?: (e: CallEvent) => void;
  /** Clock for signing and token expiry; default `() => new Date()`. */
  now?: () => Date;
}
