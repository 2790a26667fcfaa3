// metav1.Condition semantics: lastTransitionTime moves only when the status flips.
import type { Condition, ConditionStatus, GatewayDomainCertificateStatus } from '../api/v1alpha1.ts';

export function setCondition(
  existing: Condition[] | undefined,
  next: {
    type: string;
    status: ConditionStatus;
    reason: string;
    message: string;
    observedGeneration?: number;
  },
  now: Date,
): Condition[] {
  const prev = existing?.find((c) => c.type === next.type);
  const cond: Condition = {
    ...next,
    lastTransitionTime: prev && prev.status === next.status ? prev.lastTransitionTime : rfc3339(now),
  };
  return [...(existing ?? []).filter((c) => c.type !== next.type), cond];
}

export function readyCondition(status: GatewayDomainCertificateStatus | undefined): Condition | undefined {
  return status?.conditions?.find((c) => c.type === 'Ready');
}

/** RFC 3339 without milliseconds, as Kubernetes writes times. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
