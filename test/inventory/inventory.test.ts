// The inventory command against the emulator with a seeded account (SCM + API Gateway + ROMA
// Connect): every flag state, every listing paged, table / JSON / YAML output, owners read from the
// real control plane, and --prune deleting only leftovers.
import { loadYaml } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listResources, loadKubeConfig } from '../../src/inventory/cluster.ts';
import type { InventoryReport, InventoryRow } from '../../src/inventory/report.ts';
import { runInventory } from '../../src/inventory/run.ts';
import { createNamespace, kubeconfigPath } from '../support/kube.ts';
import { createGdc, domainSpec, fixtureBase, putCredentials } from '../support/operator.ts';
import { type Account, seededAccount } from './account.ts';

let acct: Account;

beforeAll(async () => {
  const ns = await createNamespace('inv');
  acct = await seededAccount(ns);
  const f = fixtureBase(ns, acct.emu);
  await putCredentials(f);
  // The resource owning names.managed; it is never reconciled here (no operator runs).
  await createGdc(f, 'site', domainSpec(f, 'api.example.com'));
  for (const name of ['page-a', 'page-b']) await createGdc(f, name, domainSpec(f, `${name}.example.com`));
});
afterAll(() => acct?.close());

async function inventory(extra: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runInventory(
    [
      `--gateway=apig:${acct.gw.apig},name=gw-apig`,
      `--gateway=roma:${acct.gw.roma},name=gw-roma`,
      `--project-id=${acct.emu.seed.projectId}`,
      `--endpoint=${acct.emu.url}`,
      '--allow-insecure-http',
      ...extra,
    ],
    { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env },
  );
  // Nothing secret ever leaves: no private key, no secret key, in any output.
  const c = acct.emu.seed.credentials;
  for (const secret of [...acct.keys.map((k) => k.split('\n')[1]!), c.secretKey, c.iam.password]) {
    expect(stdout + stderr).not.toContain(secret);
  }
  return { code, stdout, stderr };
}

const akEnv = () => ({
  HUAWEICLOUD_SDK_AK: acct.emu.seed.credentials.accessKey,
  HUAWEICLOUD_SDK_SK: acct.emu.seed.credentials.secretKey,
});
const clusterFlags = () => [
  `--kubeconfig=${kubeconfigPath()}`,
  `--credentials-secret=${acct.ns}/huawei-credentials`,
];

describe('inventory', () => {
  it('prints one table of SCM and both gateways, flags by state, paging every listing', async () => {
    acct.emu.resetCalls();
    const { code, stdout, stderr } = await inventory(['--no-cluster', '--page-size=1'], akEnv());
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [header, ...lines] = stdout.trimEnd().split('\n');
    expect(header).toMatch(/^NAME +SOURCE +GATEWAY +DOMAINS +SERIAL +NOT-AFTER +DAYS +MANAGED-BY +FLAGS$/);
    const rows = new Map(
      lines.filter((l) => l && !l.startsWith('MANAGED-BY')).map((l) => [l.split(/ +/)[0]!, l.split(/ +/)]),
    );
    const n = acct.names;
    // name, source, gateway, domains, serial, not-after, days, managed-by, flags
    const expectRow = (
      name: string,
      source: string,
      gateway: string,
      domains: string,
      days: string,
      flags: string,
    ) => {
      const r = rows.get(name);
      expect(r, name).toBeDefined();
      expect([r![1], r![2], r![3], r![6], r![7], r![8]], name).toEqual([
        source,
        gateway,
        domains,
        days,
        '-',
        flags,
      ]);
    };
    expectRow(n.managed, 'apigw+scm', 'gw-apig', 'api.example.com', '80', '-');
    expectRow(n.leftover, 'apigw+scm', 'gw-apig', '-', '80', 'unbound');
    expectRow(n.leftoverBound, 'apigw+scm', 'gw-apig', 'www.example.com', '120', '-');
    expectRow(n.expiring, 'apigw+scm', 'gw-apig', 'shop.example.com', '10', 'expiring');
    expectRow(n.expired, 'apigw+scm', 'gw-apig', 'pay.example.com', '-4', 'expired');
    expectRow(n.romaInstance, 'apic+scm', 'gw-roma', 'static.example.net', '200', '-');
    expectRow(n.romaUnbound, 'apic+scm', 'gw-roma', '-', '100', 'unbound');
    expectRow(
      n.global,
      'apigw+scm',
      'global',
      'gw-roma:portal.example.net,gw-roma:cdn.example.net',
      '365',
      '-',
    );
    expectRow('scm_old', 'scm', '-', '-', '-20', 'expired');
    expectRow('scm_soon', 'scm', '-', '-', '5', 'expiring');
    expectRow('scm_bought_site', 'scm', '-', '-', '400', '-');
    expect(rows.size).toBe(13); // 8 gateway certificates (each also in SCM) + 5 of SCM's own
    // Serials come from ShowCertificate (decimal); list items have none.
    expect(rows.get(n.managed)![4]).toMatch(/^\d{10,}$/);
    expect(stdout).toContain('pass --kubeconfig');

    // Every listing went past its first page, with the page size asked for (SCM's minimum is 10).
    const calls = acct.emu.calls().calls;
    const offsets = (op: string, match: (path: string, q: URLSearchParams) => boolean = () => true) =>
      calls
        .map((c) => ({ ...c, q: new URLSearchParams(c.query) }))
        .filter((c) => c.operation === op && match(c.path, c.q))
        .map((c) => Number(c.q.get('offset')));
    for (const gw of [acct.gw.apig, acct.gw.roma]) {
      expect(offsets('ListApiGroups', (p) => p.includes(gw))).toEqual([0, 1]);
    }
    expect(offsets('ListCertificates', (_p, q) => q.get('instance_id') === acct.gw.apig)).toEqual([
      0, 1, 2, 3, 4, 5,
    ]);
    expect(offsets('ListCertificates', (_p, q) => q.get('instance_id') === acct.gw.roma)).toEqual([0, 1, 2]);
    expect(offsets('ListScmCertificates')).toEqual([0, 10]);
    expect(calls.filter((c) => c.write)).toEqual([]);
  });

  it('works the same with IAM password credentials, and lists only what --no-scm leaves', async () => {
    const iam = acct.emu.seed.credentials.iam;
    const env = {
      HUAWEICLOUD_USERNAME: iam.username,
      HUAWEICLOUD_PASSWORD: iam.password,
      HUAWEICLOUD_DOMAIN_NAME: iam.domainName,
    };
    const { code, stdout } = await inventory(['--no-cluster', '--no-scm', '-o', 'json'], env);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as InventoryReport;
    expect(report.certificates.map((r) => r.source).sort()).toEqual([
      ...Array(2).fill('apic'),
      ...Array(6).fill('apigw'),
    ]);
    expect(report.certificates.every((r) => r.scmId === undefined)).toBe(true);
    expect(acct.emu.calls().calls.some((c) => c.auth === 'token')).toBe(true);
  });

  it('reads owners from the cluster: managed-by, leftovers, and the same report as JSON and YAML', async () => {
    const json = await inventory([...clusterFlags(), '-o', 'json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as InventoryReport;
    expect(report).toMatchObject({ cluster: true, warnDays: 30, errors: [] });
    const by = new Map(report.certificates.map((r) => [r.name, r]));
    const n = acct.names;
    expect(by.get(n.managed)).toMatchObject({
      source: 'apigw',
      gateway: 'gw-apig',
      domains: [{ gateway: 'gw-apig', domain: 'api.example.com' }],
      managedBy: `${acct.ns}/site`,
      ours: true,
      flags: [],
      daysLeft: 80,
      scmId: expect.stringMatching(/^scs/),
      serial: expect.stringMatching(/^\d+$/),
    } satisfies Partial<InventoryRow>);
    expect(by.get(n.leftover)).toMatchObject({ ours: true, flags: ['unbound', 'leftover'] });
    expect(by.get(n.leftover)!.managedBy).toBeUndefined();
    expect(by.get(n.leftoverBound)).toMatchObject({ ours: true, flags: ['leftover'] });
    expect(by.get(n.expiring)).toMatchObject({ ours: false, flags: ['expiring'] });
    expect(by.get(n.expired)).toMatchObject({ flags: ['expired'], daysLeft: -4 });
    expect(by.get('scm_soon')).toMatchObject({ source: 'scm', gateway: '', flags: ['expiring'] });
    // Sorted by expiry: the expired ones first.
    expect(report.certificates[0]!.name).toBe('scm_old');

    const yaml = await inventory([...clusterFlags(), '-o', 'yaml', '--warn-days=90']);
    const fromYaml = loadYaml(yaml.stdout) as InventoryReport;
    expect(fromYaml.warnDays).toBe(90);
    const y = new Map(fromYaml.certificates.map((r) => [r.name, r]));
    // --warn-days moves the "expiring" line: 80 days left is now within it.
    expect(y.get(n.managed)!.flags).toEqual(['expiring']);
    expect({ ...y.get(n.expired), flags: [] }).toEqual({ ...by.get(n.expired), flags: [] });
  });

  it('pages through the cluster resources too (limit/continue)', async () => {
    const ours = (list: Awaited<ReturnType<typeof listResources>>) =>
      list.filter((r) => r.metadata.namespace === acct.ns).map((r) => r.metadata.name);
    const paged = await listResources(loadKubeConfig(kubeconfigPath()), 1);
    expect(ours(paged).sort()).toEqual(['page-a', 'page-b', 'site']);
    expect(new Set(paged.map((r) => `${r.metadata.namespace}/${r.metadata.name}`)).size).toBe(paged.length);
  });

  it('--prune is a dry run until --confirm, and deletes only unowned, unbound certificates of ours', async () => {
    const dry = await inventory([...clusterFlags(), '--prune']);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain(`prune: would-delete ${acct.names.leftover} `);
    expect(dry.stderr.match(/would-delete/g)).toHaveLength(1);
    expect(dry.stderr).toContain('add --confirm');
    expect(acct.emu.state.certificates.map((c) => c.name)).toContain(acct.names.leftover);
    expect(acct.emu.calls().writes).toBe(0);

    // The delete's connection drops once: the (idempotent) delete is sent again and completes.
    acct.emu.resetCalls();
    acct.emu.setFaults({ failNext: [{ kind: 'drop' }], operations: ['DeleteCertificate'] });
    const real = await inventory([...clusterFlags(), '--prune', '--confirm', '-o', 'json']);
    acct.emu.resetFaults();
    expect(real.code).toBe(0);
    expect(real.stderr).toContain(`prune: deleted ${acct.names.leftover} `);
    expect(acct.emu.calls().counts.DeleteCertificate).toBe(2);
    expect(acct.emu.calls().writes).toBe(2);
    const left = acct.emu.state.certificates.map((c) => c.name);
    expect(left).not.toContain(acct.names.leftover);
    // Bound (retained) leftovers, other people's unbound certificates and everything owned stay.
    for (const keep of [acct.names.leftoverBound, acct.names.romaUnbound, acct.names.managed])
      expect(left).toContain(keep);
  });

  it('refuses --confirm without --prune and --prune without the cluster deletes nothing', async () => {
    const bad = await inventory(['--confirm'], akEnv());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--confirm only goes with --prune');
    const blind = await inventory(['--no-cluster', '--prune', '--confirm'], akEnv());
    expect(blind.stderr).toContain('--prune needs the cluster');
    expect(blind.stderr).not.toContain('prune: deleted');
  });

  it('respects the rate limit and reports a rejected credential without printing it', async () => {
    acct.emu.resetCalls();
    const started = performance.now();
    const slow = await inventory(
      ['--no-cluster', '--gateway-rate=20', '--gateway-burst=1', '-o', 'json'],
      akEnv(),
    );
    const elapsed = performance.now() - started;
    const calls = acct.emu.calls().total;
    expect(slow.code).toBe(0);
    // Group and certificate listings, a ShowCertificate per gateway certificate, SCM.
    expect(calls).toBeGreaterThanOrEqual(10);
    // 20 calls a second after a burst of 1: at least (calls - 1) / 20 seconds, however fast the machine.
    expect(elapsed).toBeGreaterThanOrEqual(((calls - 1) / 20) * 1000 - 5);

    const wrong = await inventory(['--no-cluster'], {
      ...akEnv(),
      HUAWEICLOUD_SDK_SK: 'not-the-secret-key-123',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/gw-apig: .*401/);
    expect(wrong.stderr).not.toContain('not-the-secret-key-123');
  });
});
