// What the cert-manager test files share: one operator fixture and one cert-manager process per file
// with the issuers of test/support/certmanager-pki.ts, and an emulator per scenario, so each
// scenario's gateway call log is its own while scenarios run concurrently.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startEmulator } from '../emulator/server.ts';
import { type CertManager, installCertManagerCrds, startCertManager } from '../support/certmanager.ts';
import { createIssuers } from '../support/certmanager-pki.ts';
import { kubeconfigPath, kubectl } from '../support/kube.ts';
import {
  type Fixture,
  type FixtureBase,
  fixtureSeed,
  putCredentials,
  startFixture,
} from '../support/operator.ts';

export interface Suite {
  f: Fixture;
  cm: CertManager;
}

/** Registers the file's hooks; the returned object is filled before the first test. */
export function certManagerSuite(): Suite {
  const suite = {} as Suite;
  beforeAll(async () => {
    // CRDs first: the operator's Certificate watch then finds them at start-up instead of at its
    // next recheck minutes later (until then it would judge Secrets on content alone).
    await installCertManagerCrds(kubectl);
    suite.f = await startFixture();
    suite.cm = await startCertManager({ kubeconfig: kubeconfigPath(), namespace: suite.f.ns });
    await putCredentials(suite.f);
    try {
      await createIssuers(suite.f);
    } catch (err) {
      // A hook is not retried and has no afterEach: say here what cert-manager was doing.
      console.error(`[cert-manager] last log lines while creating issuers:\n${tail(suite.cm)}`);
      throw err;
    }
  }, 420_000);
  // What cert-manager did is half of any failure here: its last lines go with the failed test.
  afterEach(({ task }) => {
    if (task.result?.state !== 'fail') return;
    console.error(`[cert-manager] last log lines for "${task.name}":\n${tail(suite.cm)}`);
  });
  afterAll(async () => {
    await suite.cm?.stop();
    await suite.f?.stop();
  });
  return suite;
}

function tail(cm: CertManager | undefined): string {
  return (cm?.log() ?? '').trimEnd().split('\n').slice(-60).join('\n');
}

/** Runs `fn` with the suite's namespace and operator but a gateway emulator of its own. */
export async function withEmulator<T>(f: Fixture, fn: (v: FixtureBase) => Promise<T>): Promise<T> {
  const emulator = await startEmulator({ seed: fixtureSeed() });
  try {
    return await fn({ ns: f.ns, core: f.core, custom: f.custom, emulator });
  } finally {
    await emulator.close();
  }
}
