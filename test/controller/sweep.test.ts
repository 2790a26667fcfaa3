// The sweep of leftovers: a certificate made for a resource by an interrupted sync (its delete cut
// short) is deleted once nothing is bound to it; anything bound, anything not carrying a live
// resource's certificate name, and the certificate the resource uses are never touched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayClient } from '../../src/gateway/index.ts';
import { defaultCertificateName } from '../../src/reconciler/naming.ts';
import { waitFor } from '../support/kube.ts';
import {
  createGdc,
  domainSpec,
  type Fixture,
  gateway,
  putCredentials,
  putTlsSecret,
  servedSerial,
  startFixture,
  waitForEvent,
  waitForReason,
} from '../support/operator.ts';
import { createCA, issueCertificate } from '../support/pki.ts';

let f: Fixture;
const ca = createCA({ commonName: 'sweep CA', keyType: 'ec' });

beforeAll(async () => {
  f = await startFixture({ sweepIntervalMs: 500, sweepGraceMs: 0 });
  await putCredentials(f);
});
afterAll(async () => f?.stop());

describe('sweep of leftovers', () => {
  it('deletes our unbound stale copies only, with an Event and a metric', async () => {
    const gw = gateway(f);
    const spare = gw.groups.find((g) => g.name === 'spare_group_1');
    const [d1, d2, d3] = spare?.domains ?? [];
    if (!spare || !d1 || !d2 || !d3) throw new Error('seed too small');
    const leaf = issueCertificate({ ca, dnsNames: [d1.name, d2.name, d3.name] });
    await putTlsSecret(f, 'sweep-tls', leaf, ca);
    await createGdc(f, 'sweep', domainSpec(f, d1.name, { secretName: 'sweep-tls' }));
    const g = await waitForReason(f, 'sweep', 'Synced');
    const used = g.status?.certificate?.id;

    const c = f.emulator.seed.credentials;
    const client = createGatewayClient({
      endpoint: f.emulator.url,
      family: 'apigw',
      projectId: f.emulator.seed.projectId,
      credentials: { kind: 'aksk', accessKey: c.accessKey, secretKey: c.secretKey },
      allowInsecureHttp: true,
    });
    const upload = async (domainId: string, name: string) =>
      (
        await client.uploadDomainCertificate(gw.id, spare.id, domainId, {
          name,
          cert_content: leaf.certPem,
          private_key: leaf.keyPem,
        })
      ).ssl_id ?? '';
    const ours = defaultCertificateName(f.ns, 'sweep');
    // A stale copy: uploaded under our name, then its domain re-bound elsewhere (unbound now).
    const stale = await upload(d2.id, ours);
    await client.unbindDomainCertificate(gw.id, spare.id, d2.id, stale);
    // Ours by name but bound to a domain: kept. Someone else's, unbound: kept.
    const bound = await upload(d3.id, ours);
    const foreign = await upload(d2.id, 'someone_elses_cert');
    await client.unbindDomainCertificate(gw.id, spare.id, d2.id, foreign);
    await client.close();

    await waitFor(
      'the stale copy swept',
      async () => !f.emulator.state.certificates.some((x) => x.id === stale),
    );
    const left = f.emulator.state.certificates.map((x) => x.id);
    expect(left).toEqual(expect.arrayContaining([used, bound, foreign]));
    expect(servedSerial(f, d1.name)).toBe(leaf.serialNumber);
    await waitForEvent(f, 'sweep', (e) => e.reason === 'LeftoverDeleted' && !!e.note?.includes(stale));
    // Counted once the delete's answer is back, which can be after the emulator dropped the certificate.
    const deleted = /^apig_cert_sync_certificates_deleted_total\{cause="sweep"\} (\d+)$/m;
    const text = await waitFor('the delete counted', async () => {
      const t = await (await fetch(`${f.operator.metricsUrl}/metrics`)).text();
      return deleted.test(t) ? t : undefined;
    });
    expect(text).toMatch(/^apig_cert_sync_certificates_deleted_total\{cause="sweep"\} 1$/m);
    // Further passes find nothing more to delete.
    await waitFor('another sweep', async () => {
      const t = await (await fetch(`${f.operator.metricsUrl}/metrics`)).text();
      return /^apig_cert_sync_sweeps_total\{result="success"\} ([3-9]|\d\d)/m.test(t);
    });
    expect(f.emulator.state.certificates.map((x) => x.id)).toEqual(
      expect.arrayContaining([used, bound, foreign]),
    );
  });
});
