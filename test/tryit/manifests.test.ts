// The README's "Try it by hand" ends with a Ready resource: the objects `npm run example` prints for a
// running emulator, applied with the real kubectl, are bound by the operator.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl } from '../support/kube.ts';
import { freePort } from '../support/net.ts';
import { type Fixture, servedSerial, startFixture, waitForReason } from '../support/operator.ts';

const execFileP = promisify(execFile);
let f: Fixture;

beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => f?.stop());

describe('npm run example', () => {
  it('prints a credentials Secret, a TLS Secret and a resource that become Ready against the emulator', async () => {
    const script = resolve(import.meta.dirname, 'manifests.ts');
    const { stdout } = await execFileP(process.execPath, [script, f.emulator.url, '--namespace', f.ns]);
    const list = JSON.parse(stdout) as { items: Array<{ kind: string; metadata: { name: string } }> };
    expect(list.items.map((i) => `${i.kind}/${i.metadata.name}`)).toEqual([
      'Secret/huawei-credentials',
      'Secret/example-tls',
      'GatewayDomainCertificate/example',
    ]);
    const applied = await kubectl(['apply', '-f', '-'], { input: stdout });
    expect(applied.stdout).toContain('gatewaydomaincertificate.apig-cert-sync.io/example created');
    const g = await waitForReason(f, 'example', 'Synced');
    expect(servedSerial(f, g.spec.gateway.domain!)).toBe(g.status?.certificate?.serialNumber);
  });

  it('says what is wrong when no emulator answers at the URL', async () => {
    const script = resolve(import.meta.dirname, 'manifests.ts');
    const url = `http://127.0.0.1:${await freePort()}`;
    const err = await execFileP(process.execPath, [script, url]).catch((e: { stderr: string }) => e);
    expect(String((err as { stderr: string }).stderr)).toMatch(
      /nothing answers at .*is the emulator running there\?/,
    );
  });
});
