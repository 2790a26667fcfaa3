// The running operator (real kube-apiserver, the emulator as the cloud) through Domain and Shared mode
// on both families, with client verification, lost write answers, a renewal and a Detach deletion: every call it makes must
// fit the official Go SDK's request definitions (method, path, query names, body fields, credential
// headers), so a reconciler change that sends a field the real API lacks fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, PLURAL, VERSION } from '../../src/api/v1alpha1.ts';
import { waitFor } from '../support/kube.ts';
import {
  createGdc,
  domainSpec,
  type Fixture,
  putCredentials,
  putTlsSecret,
  startFixture,
  waitForReason,
} from '../support/operator.ts';
import { createCA, issueCertificate } from '../support/pki.ts';
import { key, requestProblems } from './client-requests.ts';
import { type OperationSpec, sdkSpecs } from './sdk.ts';

let f: Fixture;
let specs: OperationSpec[];
const ca = createCA({ commonName: 'operator conformance CA', keyType: 'ec' });

beforeAll(async () => {
  specs = await sdkSpecs();
  f = await startFixture({ deletionTimeoutMs: 5000 });
  await putCredentials(f, 'huawei-credentials', 'aksk');
}, 600_000);
afterAll(async () => f?.stop());

async function syncAndRenew(name: string, dnsNames: string[], spec: Parameters<typeof createGdc>[2]) {
  await putTlsSecret(f, `${name}-tls`, issueCertificate({ ca, dnsNames, keyType: 'ec' }), ca);
  await createGdc(f, name, { ...spec, secretName: `${name}-tls`, deletionPolicy: 'Detach' });
  await waitForReason(f, name, 'Synced');
  const renewed = issueCertificate({ ca, dnsNames, keyType: 'ec' });
  await putTlsSecret(f, `${name}-tls`, renewed, ca);
  await waitForReason(f, name, 'Synced', (g) => g.status?.certificate?.serialNumber === renewed.serialNumber);
  await f.custom.deleteNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: f.ns,
    plural: PLURAL,
    name,
  });
  await waitFor(`${name} deleted`, async () => {
    try {
      await f.custom.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: f.ns,
        plural: PLURAL,
        name,
      });
      return false;
    } catch {
      return true;
    }
  });
}

describe("the operator's calls fit the SDK's request definitions", () => {
  it('Domain (apig, roma with client verification) and Shared (apig with client verification)', async () => {
    const [gw1, gw2] = f.emulator.seed.gateways;
    if (!gw1 || !gw2) throw new Error('seed needs two gateways');
    f.emulator.resetCalls();
    // Every create/upload answer is lost (the write happens): the operator's recovery listing runs too.
    f.emulator.setFaults({
      lostReplyRate: 1,
      lostReplyKinds: ['lost-504'],
      operations: ['UploadDomainCertificate', 'CreateCertificate'],
    });
    await syncAndRenew('apig-domain', ['t11.example.org'], domainSpec(f, 't11.example.org'));
    const roma = domainSpec(f, 't12.example.org');
    await syncAndRenew('roma-domain', ['t12.example.org'], {
      ...roma,
      gateway: { ...roma.gateway, service: 'roma' },
      clientVerification: { enabled: true },
    });
    await syncAndRenew('apig-shared', ['www.example.com'], {
      ...domainSpec(f, 'unused'),
      mode: 'Shared',
      clientVerification: { enabled: true },
      gateway: {
        service: 'apig',
        endpoint: f.emulator.url,
        iamEndpoint: f.emulator.url,
        projectId: f.emulator.seed.projectId,
      },
      domains: [{ name: 'www.example.com', instanceIds: [gw1.id, gw2.id] }],
    });
    const calls = f.emulator.calls().calls.filter((c) => c.operation !== 'CreateToken');
    const byOp = new Map(specs.map((s) => [key(s.family, s.operation), s]));
    expect(calls.flatMap((c) => requestProblems(f.emulator, c, byOp))).toEqual([]);
    // It really went through the writes of both modes.
    const ops = new Set(calls.map((c) => c.operation));
    for (const op of [
      'UploadDomainCertificate',
      'CreateCertificate',
      'UpdateCertificate',
      'AttachDomains',
      'ListCertificates',
    ])
      expect(ops.has(op), op).toBe(true);
  });
});
