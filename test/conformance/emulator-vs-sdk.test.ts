// The official Go SDK (test/gotools/sdk-conformance), with its own signer, models and a custom
// endpoint, drives the emulator through every call the operator makes on API Gateway, ROMA Connect and
// SCM: each answer must decode into the SDK's model with every required field and no field it lacks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import { createCA, issueCertificate } from '../support/pki.ts';
import { key, target } from './client-requests.ts';
import { type DriveReport, type OperationSpec, sdkSpecs, sdkTool } from './sdk.ts';

let emu: Emulator;
let specs: OperationSpec[];
const ca = createCA({ commonName: 'conformance CA', keyType: 'rsa' });

beforeAll(async () => {
  emu = await startEmulator();
  specs = await sdkSpecs();
}, 600_000); // the first run on a machine builds the Go tool
afterAll(() => emu?.close());

describe('the official SDK drives the emulator', () => {
  it('every call is accepted and decodes into the SDK models with every required field; errors are SDK errors', async () => {
    const { gw, group, domain } = target(emu);
    const leaf = issueCertificate({ ca, dnsNames: [domain.name], keyType: 'rsa' });
    const c = emu.seed.credentials;
    const report = JSON.parse(
      await sdkTool('drive', {
        endpoint: emu.url,
        project_id: emu.seed.projectId,
        domain_id: 'c0ffee00c0ffee00c0ffee00c0ffee00',
        ak: c.accessKey,
        sk: c.secretKey,
        instance_id: gw.id,
        group_id: group.id,
        domain_id_of_url_domain: domain.id,
        domain: domain.name,
        cert_pem: leaf.certPem,
        key_pem: leaf.keyPem,
        ca_pem: ca.certPem,
        temp_ak: c.temporary.accessKey,
        temp_sk: c.temporary.secretKey,
        security_token: c.temporary.securityToken,
      }),
    ) as DriveReport;
    const problems = report.results.flatMap((r) => r.problems.map((p) => `${r.family} ${r.operation}: ${p}`));
    expect(problems).toEqual([]);
    expect(report.failed).toBe(0);
    // Every operation the SDK defines for the operator's calls was driven.
    const driven = new Set(report.results.map((r) => key(r.family, r.operation)));
    expect(
      specs.filter((s) => !driven.has(key(s.family, s.operation))).map((s) => key(s.family, s.operation)),
    ).toEqual([]);
    // The SDK signs neither host nor content-type; the emulator took every such request.
    const signed = emu.calls().calls.filter((x) => x.request.signed_headers);
    expect(signed.length).toBeGreaterThan(20);
    expect(signed.some((x) => x.request.signed_headers!.includes('host'))).toBe(false);
  });
});
