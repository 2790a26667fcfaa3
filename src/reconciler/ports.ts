// What the reconciler needs from the outside world, as narrow interfaces: the Kubernetes side and
// the gateway pool implement them, tests can too.
import type { Logger } from 'pino';
import type {
  GatewayDomainCertificate,
  GatewayDomainCertificateStatus,
  GatewayRef,
} from '../api/v1alpha1.ts';
import type { GatewayClient } from '../gateway/index.ts';
import type { GatewayCredentials } from '../gateway/options.ts';
import type { SecretSource } from './inputs.ts';
import type { CertificateState } from './issuance.ts';

export interface StatusWriter {
  /** Merge-patches /status; `null` removes a field. */
  patchStatus(gdc: GatewayDomainCertificate, status: Record<string, unknown>): Promise<void>;
  setFinalizer(gdc: GatewayDomainCertificate, present: boolean): Promise<void>;
}

export interface EventSink {
  event(
    gdc: GatewayDomainCertificate,
    type: 'Normal' | 'Warning',
    reason: string,
    action: string,
    note: string,
  ): void;
}

export interface GatewayProvider {
  client(ref: GatewayRef, credentials: GatewayCredentials): GatewayClient;
}

export interface ReconcileObserver {
  synced?(gdc: GatewayDomainCertificate, status: GatewayDomainCertificateStatus): void;
  failed?(gdc: GatewayDomainCertificate, reason: string): void;
  deleted?(gdc: GatewayDomainCertificate): void;
  /** Replaced or leftover certificates of ours deleted. */
  cleaned?(gdc: GatewayDomainCertificate, count: number): void;
}

export interface ReconcilerDeps {
  secrets: SecretSource;
  gateways: GatewayProvider;
  status: StatusWriter;
  events: EventSink;
  logger: Logger;
  observer?: ReconcileObserver;
  /**
   * The cert-manager Certificate whose spec.secretName is this Secret, from the optional watch;
   * undefined when none is known (no cert-manager, no permission, or a Secret nobody issues).
   */
  certificates?: (namespace: string, secretName: string) => CertificateState | undefined;
  /** Another resource (namespace/name) that already holds a domain this one names, if any. */
  domainHolder?: (gdc: GatewayDomainCertificate) => string | undefined;
  now?: () => Date;
  /** Retry backoff for transient failures, from status.failures: base·2^(n-1), capped. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** After this long in deletion, a cloud that keeps failing no longer blocks it. */
  deletionTimeoutMs?: number;
}

export interface ReconcileResult {
  result: 'success' | 'terminal' | 'requeue_after' | 'error';
  requeueAfterMs?: number;
}

/** Retry delay after the n-th consecutive failure: base·2^(n-1), capped (5 s → 5 min by default). */
export function backoffDelayMs(
  deps: Pick<ReconcilerDeps, 'backoffBaseMs' | 'backoffMaxMs'>,
  failures: number,
): number {
  const { backoffBaseMs = 5_000, backoffMaxMs = 300_000 } = deps;
  return Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.min(failures - 1, 30));
}
