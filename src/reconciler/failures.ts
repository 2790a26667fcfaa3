// What went wrong, said as a condition reason, and what to do about it: wait for the user to change
// something (terminal), look again at the next verify interval (recheck: cloud-side settings such as
// IAM permissions can be fixed without touching Kubernetes), or retry with backoff.
import { type GatewayDomainCertificate, Reason } from '../api/v1alpha1.ts';
import { GatewayError } from '../gateway/index.ts';
import { KubeApiError } from '../kube/http.ts';

export type Disposition = 'terminal' | 'recheck' | 'backoff';

export class SyncFailure extends Error {
  override readonly name = 'SyncFailure';
  readonly reason: Reason;
  readonly disposition: Disposition;
  /** The earliest a retry can help (an open circuit breaker, a Retry-After), if known. */
  readonly retryAfterMs: number | undefined;
  constructor(reason: Reason, message: string, disposition: Disposition, retryAfterMs?: number) {
    super(message);
    this.reason = reason;
    this.disposition = disposition;
    this.retryAfterMs = retryAfterMs;
  }
}

// Input the gateway refused: the same input will be refused again.
const REJECTION_REASONS: Record<string, Reason> = {
  'APIG.2101': Reason.KeyMismatch,
  'APIG.2102': Reason.Expired,
  'APIG.2103': Reason.DomainNotCovered,
  'APIG.2109': Reason.DomainNotCovered,
  'APIG.2104': Reason.ChainOrder,
  'APIG.2106': Reason.InvalidCertificate,
  'APIG.3148': Reason.ValidityTooLong,
};

/** `gdc`, when known, lets the message name what to fix (the credentials Secret, the endpoint). */
export function toSyncFailure(err: unknown, gdc?: GatewayDomainCertificate): SyncFailure {
  if (err instanceof SyncFailure) return err;
  if (err instanceof GatewayError) {
    if (err.errorCode === 'ENDPOINT_REFUSED')
      return new SyncFailure(Reason.InvalidSpec, `spec.gateway: ${err.errorMsg ?? err.message}`, 'terminal');
    const msg = `gateway: ${err.message}`;
    const secret = gdc
      ? `Secret ${gdc.spec.credentialsSecretRef.name} (spec.credentialsSecretRef)`
      : 'the credentials Secret';
    const g = gdc?.spec.gateway;
    const endpoint = g?.endpoint ?? (g ? `the ${g.service} endpoint of region ${g.region}` : 'the endpoint');
    // An answer no API Gateway gives: wrong host, not a wrong domain.
    const notAGateway =
      err.errorCode === 'INVALID_RESPONSE' ||
      err.errorCode === 'NOT_A_GATEWAY' ||
      (err.kind === 'notFound' && !err.errorCode);
    if (notAGateway)
      return new SyncFailure(
        Reason.InvalidSpec,
        `spec.gateway: ${endpoint} does not answer like a Huawei Cloud API Gateway / ROMA Connect endpoint; check spec.gateway.endpoint (or region) — ${msg}`,
        'recheck',
      );
    switch (err.kind) {
      case 'terminal':
        return new SyncFailure(
          REJECTION_REASONS[err.errorCode ?? ''] ?? Reason.GatewayRejected,
          msg,
          'terminal',
        );
      case 'auth':
        return new SyncFailure(
          Reason.CredentialsInvalid,
          `the credentials in ${secret} were refused: check accessKey/secretKey (and securityToken, which expires) or username/password/domainName — ${msg}`,
          'recheck',
        );
      case 'permission':
        return new SyncFailure(
          Reason.PermissionDenied,
          `the user of ${secret} may not call ${err.operation}: grant it the API Gateway / ROMA Connect permissions for certificates, API groups and domains — ${msg}`,
          'recheck',
        );
      case 'notFound':
        return new SyncFailure(
          Reason.DomainNotFound,
          `not found: check spec.gateway.projectId, instanceId and the domain — ${msg}`,
          'recheck',
        );
      default:
        return new SyncFailure(Reason.GatewayUnavailable, msg, 'backoff', err.retryAfterMs);
    }
  }
  if (err instanceof KubeApiError) {
    // The operator's own RBAC lacks a rule: an admin fixes it without touching the resource.
    const msg = `Kubernetes API: ${err.message}`;
    if (err.code === 401 || err.code === 403) return new SyncFailure(Reason.PermissionDenied, msg, 'recheck');
    return new SyncFailure(Reason.KubernetesError, msg, 'backoff');
  }
  return new SyncFailure(
    Reason.GatewayUnavailable,
    `unexpected error: ${String((err as Error)?.message ?? err)}`,
    'backoff',
  );
}

export function isNotFound(err: unknown): boolean {
  return err instanceof GatewayError && err.kind === 'notFound';
}
