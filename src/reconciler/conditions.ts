// metav1.Condition semantics: lastTransitionTime moves only when the status flips; a condition keeps its
// place in the list (tests and `kubectl describe` read Ready first).
import type { Condition, ConditionStatus, GatewayDomainCertificateStatus } from '../api/v1alpha1.ts';
import { ConditionType } from '../api/v1alpha1.ts';

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
}

export function setCondition(
  existing: Condition[] | undefined,
  next: ConditionInput,
  now: Date,
): Condition[] {
  const list = existing ?? [];
  const prev = list.find((c) => c.type === next.type);
  const cond: Condition = {
    ...next,
    lastTransitionTime: prev && prev.status === next.status ? prev.lastTransitionTime : rfc3339(now),
  };
  return prev ? list.map((c) => (c === prev ? cond : c)) : [...list, cond];
}

export function removeCondition(existing: Condition[] | undefined, type: string): Condition[] {
  return (existing ?? []).filter((c) => c.type !== type);
}

/**
 * kstatus's view (sigs.k8s.io/cli-utils): `Reconciling` True → InProgress, `Stalled` True → Failed,
 * both absent → Ready decides (True → Current). Both are abnormal-true, so when they stop applying
 * they are removed, as Flux's own controllers do: absence means "nothing under way, nothing stuck".
 */
export type Health =
  | { kind: 'ready' }
  | { kind: 'reconciling'; reason: string; message: string }
  | { kind: 'stalled'; reason: string; message: string }
  /** Suspended: nothing is under way, a stall stays as it was (nobody fixed it). */
  | { kind: 'frozen' };

export function healthConditions(
  existing: Condition[] | undefined,
  ready: ConditionInput,
  health: Health,
  now: Date,
): Condition[] {
  const gen = ready.observedGeneration !== undefined ? { observedGeneration: ready.observedGeneration } : {};
  let list = setCondition(existing, ready, now);
  list =
    health.kind === 'reconciling'
      ? setCondition(list, { type: ConditionType.Reconciling, status: 'True', ...pick(health), ...gen }, now)
      : removeCondition(list, ConditionType.Reconciling);
  if (health.kind === 'stalled') {
    list = setCondition(list, { type: ConditionType.Stalled, status: 'True', ...pick(health), ...gen }, now);
  } else if (health.kind !== 'frozen') {
    list = removeCondition(list, ConditionType.Stalled);
  }
  return list;
}

const pick = (h: { reason: string; message: string }) => ({ reason: h.reason, message: h.message });

export function readyCondition(status: GatewayDomainCertificateStatus | undefined): Condition | undefined {
  return status?.conditions?.find((c) => c.type === ConditionType.Ready);
}

/** RFC 3339 without milliseconds, as Kubernetes writes times. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
