// The GitOps health checks in docs/gitops.md, run by the engines Argo CD and Flux embed (gopher-lua,
// cel-go; test/gotools/gitops-health) against status objects the operator wrote in an end-to-end run.
// The snippets live in docs/gitops/ and the page must carry them verbatim: one source, tested as shown.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadYaml } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, PLURAL, VERSION } from '../../src/api/v1alpha1.ts';
import { goTool } from '../support/gotool.ts';
import { kstatus } from '../support/kstatus.ts';
import { REPO } from '../support/manifests.ts';
import {
  createGdc,
  domainSpec,
  type Fixture,
  getGdc,
  putCredentials,
  putTlsSecret,
  startFixture,
  waitForReason,
} from '../support/operator.ts';
import { createCA, issueCertificate } from '../support/pki.ts';

const DOC = readFileSync(join(REPO, 'docs/gitops.md'), 'utf8');
const LUA = readFileSync(join(REPO, 'docs/gitops/argocd-health.lua'), 'utf8');
const FLUX_YAML = readFileSync(join(REPO, 'docs/gitops/flux-health-check.yaml'), 'utf8');
const [FLUX] = loadYaml(FLUX_YAML) as Array<{ current: string; failed?: string; inProgress?: string }>;

interface Verdict {
  status?: string;
  message?: string;
  error?: string;
}

/** Both engines over the objects: one {argo, flux} verdict per object. */
function evaluate(objects: object[], lua = LUA, flux = FLUX!): Array<{ argo: Verdict; flux: Verdict }> {
  const out = execFileSync(goTool('gitops-health'), [], {
    input: JSON.stringify({ lua, flux, objects }),
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

const indent = (text: string, n: number) => text.replace(/^(?=.)/gm, ' '.repeat(n));

describe('docs/gitops.md', () => {
  it('shows the Argo CD script and the Flux healthCheckExprs exactly as docs/gitops/ holds them', () => {
    expect(DOC).toContain(
      `  resource.customizations.health.apig-cert-sync.io_GatewayDomainCertificate: |\n${indent(LUA, 4)}\`\`\``,
    );
    expect(DOC).toContain(`  healthCheckExprs:\n${indent(FLUX_YAML, 4)}\`\`\``);
    expect(FLUX).toMatchObject({ apiVersion: `${GROUP}/${VERSION}`, kind: 'GatewayDomainCertificate' });
  });
});

describe('GitOps health of real status objects', () => {
  let f: Fixture;
  // name → the object as the API server returns it, once it reached the state the name says.
  const objects = new Map<string, object>();
  const ca = createCA({ commonName: 'gitops CA', keyType: 'ec' });

  beforeAll(async () => {
    f = await startFixture();
    await putCredentials(f);
    await putTlsSecret(f, 'site-tls', issueCertificate({ ca, dnsNames: ['*.example.org'] }), ca);

    await createGdc(f, 'ready', domainSpec(f, 't01.example.org'));
    objects.set('ready', await waitForReason(f, 'ready', 'Synced'));
    await createGdc(f, 'failing', domainSpec(f, 't02.example.org', { secretName: 'no-such-secret' }));
    objects.set('failing', await waitForReason(f, 'failing', 'SecretNotFound'));
    await createGdc(f, 'suspended', domainSpec(f, 't03.example.org', { suspend: true }));
    objects.set('suspended', await waitForReason(f, 'suspended', 'Suspended'));
    // Every gateway call answers 500: the operator retries with backoff.
    f.emulator.setFaults({ errorRate: 1 });
    await createGdc(f, 'retrying', domainSpec(f, 't04.example.org'));
    objects.set('retrying', await waitForReason(f, 'retrying', 'GatewayUnavailable'));
    f.emulator.resetFaults();

    // With the operator stopped: a resource it never saw, and a spec change it has not observed.
    await f.operator.stop('test: no reconciles from here');
    await createGdc(f, 'new', domainSpec(f, 't05.example.org'));
    objects.set('new', (await getGdc(f, 'new'))!);
    await f.custom.patchNamespacedCustomObject({
      ...{ group: GROUP, version: VERSION, namespace: f.ns, plural: PLURAL, name: 'ready' },
      body: [{ op: 'replace', path: '/spec/verifyInterval', value: '2h' }],
    });
    objects.set('stale', (await getGdc(f, 'ready'))!);
  }, 120_000);
  afterAll(async () => f?.stop());

  // What each tool shows. A resource the operator has not written yet has no `status` at all, and CEL
  // cannot test an absent top-level variable: Flux shows Unknown with that error and keeps waiting.
  // `kstatus` is what Flux says without healthCheckExprs (test/controller/kstatus.test.ts has every state).
  const expected: Record<string, { argo: string; flux: string; kstatus: string; fluxError?: RegExp }> = {
    ready: { argo: 'Healthy', flux: 'Current', kstatus: 'Current' },
    failing: { argo: 'Degraded', flux: 'Failed', kstatus: 'Failed' },
    // Created suspended: nothing was ever pushed (Ready Unknown), so not Current.
    suspended: { argo: 'Suspended', flux: 'InProgress', kstatus: 'InProgress' },
    retrying: { argo: 'Progressing', flux: 'InProgress', kstatus: 'InProgress' },
    new: {
      argo: 'Progressing',
      flux: 'Unknown',
      kstatus: 'Current',
      fluxError: /no such attribute\(s\): status\./,
    },
    stale: { argo: 'Progressing', flux: 'InProgress', kstatus: 'InProgress' },
  };

  it('the objects are what their names say', () => {
    const get = (n: string) =>
      objects.get(n) as { metadata: { generation: number }; status?: { observedGeneration?: number } };
    expect(get('new').status).toBeUndefined();
    expect(get('stale').status?.observedGeneration).toBe(1);
    expect(get('stale').metadata.generation).toBe(2);
  });

  it.each(Object.entries(expected))('%s → %j', async (name, want) => {
    const [r] = evaluate([objects.get(name)!]);
    const [k] = await kstatus([objects.get(name)!]);
    expect(r!.argo.error).toBeUndefined();
    expect({ argo: r!.argo.status, flux: r!.flux.status, kstatus: k?.status }).toEqual({
      argo: want.argo,
      flux: want.flux,
      kstatus: want.kstatus,
    });
    if (want.fluxError) expect(r!.flux.error).toMatch(want.fluxError);
    else expect(r!.flux.error).toBeUndefined();
  });

  it('Argo CD messages name the reason and what the operator said', () => {
    const [failing, retrying] = evaluate([objects.get('failing')!, objects.get('retrying')!]);
    expect(failing!.argo.message).toMatch(/^SecretNotFound: .*no-such-secret/);
    expect(retrying!.argo.message).toMatch(/^GatewayUnavailable: /);
  });

  it('the engines behave as the tools do: Argo CD opens no string library; Flux checks generation first, then failed before current', () => {
    const [argo] = evaluate([objects.get('ready')!], 'return { status = string.format("%s", "Healthy") }');
    expect(argo!.argo).toMatchObject({ status: 'Unknown', error: expect.stringMatching(/string/) });
    const both = { current: 'true', failed: 'true' };
    const [ready, stale] = evaluate([objects.get('ready')!, objects.get('stale')!], LUA, both);
    expect(ready!.flux.status).toBe('Failed');
    expect(stale!.flux.status).toBe('InProgress');
  });
});
