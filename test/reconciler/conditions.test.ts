// The condition list kstatus, kubectl and GitOps tools read: Reconciling and Stalled appear only while
// they apply, Ready keeps its place, and lastTransitionTime moves only when a status flips.
import { describe, expect, it } from 'vitest';
import type { Condition } from '../../src/api/v1alpha1.ts';
import { healthConditions } from '../../src/reconciler/conditions.ts';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T01:00:00Z');
const ready = (status: 'True' | 'False' | 'Unknown', reason: string) => ({
  type: 'Ready',
  status,
  reason,
  message: `${reason} message`,
  observedGeneration: 3,
});
const types = (list: Condition[]) => list.map((c) => `${c.type}=${c.status}`);

describe('healthConditions', () => {
  it('adds Stalled for an outcome that waits for a human, and removes it once synced', () => {
    const stalled = healthConditions(
      undefined,
      ready('False', 'DomainNotCovered'),
      { kind: 'stalled', reason: 'DomainNotCovered', message: 'fix dnsNames' },
      t0,
    );
    expect(types(stalled)).toEqual(['Ready=False', 'Stalled=True']);
    expect(stalled[1]).toMatchObject({
      reason: 'DomainNotCovered',
      message: 'fix dnsNames',
      observedGeneration: 3,
    });
    const synced = healthConditions(stalled, ready('True', 'Synced'), { kind: 'ready' }, t1);
    expect(types(synced)).toEqual(['Ready=True']);
    expect(synced[0]?.lastTransitionTime).toBe('2026-01-01T01:00:00Z');
  });

  it('swaps Reconciling for Stalled and back, keeping Ready first and its transition time while it stays False', () => {
    const retrying = healthConditions(
      undefined,
      ready('False', 'GatewayUnavailable'),
      { kind: 'reconciling', reason: 'GatewayUnavailable', message: 'retrying' },
      t0,
    );
    expect(types(retrying)).toEqual(['Ready=False', 'Reconciling=True']);
    const stuck = healthConditions(
      retrying,
      ready('False', 'CredentialsInvalid'),
      { kind: 'stalled', reason: 'CredentialsInvalid', message: 'wrong key' },
      t1,
    );
    expect(types(stuck)).toEqual(['Ready=False', 'Stalled=True']);
    expect(stuck[0]?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
  });

  it('frozen (suspended) keeps a Stalled as it was and drops Reconciling', () => {
    const stalled = healthConditions(
      undefined,
      ready('False', 'Expired'),
      { kind: 'stalled', reason: 'Expired', message: 'renew' },
      t0,
    );
    const frozen = healthConditions(stalled, ready('False', 'Suspended'), { kind: 'frozen' }, t1);
    expect(frozen[1]).toEqual(stalled[1]);
    const busy = healthConditions(
      undefined,
      ready('Unknown', 'Progressing'),
      { kind: 'reconciling', reason: 'Progressing', message: 'working' },
      t0,
    );
    expect(types(healthConditions(busy, ready('Unknown', 'Suspended'), { kind: 'frozen' }, t1))).toEqual([
      'Ready=Unknown',
    ]);
  });
});
