// The chaos run in a short form (run.ts; `npm run chaos` runs the long one): lost answers after
// performed writes, 5xx, throttling and dropped connections on ~30 % of gateway calls, SIGKILL of
// operator replicas at random points including the leader — and afterwards every renewal is bound,
// no upload happened twice, and the gateway holds exactly one certificate per resource.
import { describe, expect, it } from 'vitest';
import { kubeconfigPath } from '../support/kube.ts';
import { formatReport, runChaos, violations } from './run.ts';

describe('chaos (short form)', () => {
  it('10 resources × 2 renewals, 30 % faults, 3 kills: nothing lost, doubled or left behind', async () => {
    const report = await runChaos({
      kubeconfigPath: kubeconfigPath(),
      resources: 10,
      renewals: 2,
      kills: 3,
      faultRate: 0.3,
      phaseTimeoutMs: 60_000,
      log: (l) => console.log(`[chaos]${l}`),
    });
    console.log(formatReport(report));
    expect(violations(report)).toEqual([]);
    expect(report.kills).toBe(3);
    expect(report.leaderKills).toBeGreaterThanOrEqual(1);
    expect(report.faultedCalls).toBeGreaterThan(0);
  }, 170_000);
});
