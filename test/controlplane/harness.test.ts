// Proves the test harness: a real kube-apiserver with RBAC, the real kubectl, our CRD served.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import {
  adminKubeConfig,
  createNamespace,
  kubectl,
  serviceAccountKubeConfig,
  waitFor,
} from '../support/kube.ts';
import { portOpen, processAlive } from '../support/net.ts';
import { startControlPlane } from './controlplane.ts';

const CRDS = resolve(import.meta.dirname, '../../crds');
const GROUP = 'apig-cert-sync.io';

describe('local control plane', () => {
  it('is Kubernetes 1.34 and applies the CRD with the real kubectl until Established', async () => {
    const version = JSON.parse((await kubectl(['version', '-o', 'json'])).stdout);
    expect(version.serverVersion.gitVersion).toMatch(/^v1\.34\.\d+$/);
    expect(version.clientVersion.gitVersion).toMatch(/^v1\.34\.\d+$/);

    await kubectl(['apply', '-f', CRDS]);
    await kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      `crd/gatewaydomaincertificates.${GROUP}`,
    ]);
    // `kubectl get gdc` answers through the short name (an unknown type would exit non-zero).
    const { stdout, stderr } = await kubectl(['get', 'gdc', '-A']);
    expect(stdout + stderr).toMatch(/No resources found|NAMESPACE/);
  });

  it('creates and reads back a GatewayDomainCertificate', async () => {
    await kubectl(['apply', '-f', CRDS]);
    await kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      `crd/gatewaydomaincertificates.${GROUP}`,
    ]);
    const ns = await createNamespace('harness');
    const api = adminKubeConfig().makeApiClient(CustomObjectsApi);
    const body = {
      apiVersion: `${GROUP}/v1alpha1`,
      kind: 'GatewayDomainCertificate',
      metadata: { name: 'shop', namespace: ns },
      spec: {
        secretName: 'shop-tls',
        gateway: {
          service: 'apig',
          region: 'ap-southeast-1',
          projectId: 'p1',
          instanceId: 'i1',
          domain: 'shop.example.com',
        },
        credentialsSecretRef: { name: 'huawei-credentials' },
      },
    };
    await api.createNamespacedCustomObject({
      group: GROUP,
      version: 'v1alpha1',
      namespace: ns,
      plural: 'gatewaydomaincertificates',
      body,
    });
    const got = (await api.getNamespacedCustomObject({
      group: GROUP,
      version: 'v1alpha1',
      namespace: ns,
      plural: 'gatewaydomaincertificates',
      name: 'shop',
    })) as { spec: Record<string, unknown> };
    // Schema defaults are applied by the real API server.
    expect(got.spec).toMatchObject({ secretName: 'shop-tls', mode: 'Domain', deletionPolicy: 'Retain' });
  });

  it('denies a ServiceAccount without RBAC from reading Secrets (403)', async () => {
    const ns = await createNamespace('rbac');
    const kc = await serviceAccountKubeConfig(ns, 'nobody');
    const core = kc.makeApiClient(CoreV1Api);
    const err = await core.listNamespacedSecret({ namespace: ns }).catch((e: unknown) => e);
    expect((err as { code?: number }).code).toBe(403);
    // The same identity can read after a RoleBinding grants it, so the 403 was RBAC, not a broken token.
    await kubectl(['create', 'role', 'read-secrets', '-n', ns, '--verb=list', '--resource=secrets']);
    await kubectl([
      'create',
      'rolebinding',
      'read-secrets',
      '-n',
      ns,
      '--role=read-secrets',
      `--serviceaccount=${ns}:nobody`,
    ]);
    await waitFor('RBAC to allow listing secrets', async () => {
      await core.listNamespacedSecret({ namespace: ns });
      return true;
    });
  });
});

describe('control plane lifecycle', () => {
  const binDir = () => inject('controlPlaneBinDir');

  it('leaves no process, port or file behind after stop()', async () => {
    const cp = await startControlPlane({ binDir: binDir() });
    const port = Number(new URL(cp.server).port);
    const etcdPort = Number(new URL(cp.etcdUrl).port);
    expect(await portOpen(port)).toBe(true);
    await cp.stop();
    expect(await portOpen(port)).toBe(false);
    expect(await portOpen(etcdPort)).toBe(false);
    expect(existsSync(cp.dir)).toBe(false);
  }, 120_000);

  it('takes etcd and kube-apiserver down when the process that started them is killed -9', async () => {
    const script = `
      import { startControlPlane } from ${JSON.stringify(resolve(import.meta.dirname, 'controlplane.ts'))};
      const cp = await startControlPlane({ binDir: ${JSON.stringify(binDir())} });
      console.log(JSON.stringify({ server: cp.server, etcd: cp.etcdUrl, dir: cp.dir }));
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((ok, fail) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('\n')) ok(buf.split('\n')[0] ?? '');
      });
      child.once('exit', (code) => fail(new Error(`child exited ${code}`)));
    });
    const info = JSON.parse(line) as { server: string; etcd: string };
    const ports = [Number(new URL(info.server).port), Number(new URL(info.etcd).port)];
    expect(await portOpen(ports[0] ?? 0)).toBe(true);
    child.kill('SIGKILL');
    for (const port of ports) {
      await waitFor(`port ${port} to close`, async () => !(await portOpen(port)), { timeoutMs: 20_000 });
    }
    // Polled: until Node has reaped it, a killed child is a zombie that kill(pid, 0) still finds.
    await waitFor('the child to be gone', () => !(child.pid && processAlive(child.pid)), {
      timeoutMs: 20_000,
    });
  }, 120_000);

  it('`npm run cluster` prints a KUBECONFIG on which kubectl answers, and cleans up on Ctrl-C', async () => {
    const child = spawn(process.execPath, [resolve(import.meta.dirname, 'cluster.ts')], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, KUBEBUILDER_ASSETS: binDir() },
    });
    const kubeconfig = await new Promise<string>((ok, fail) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = /^export KUBECONFIG=(.+)$/m.exec(buf);
        if (m?.[1]) ok(m[1]);
      });
      child.once('exit', (code) => fail(new Error(`cluster exited ${code}`)));
    });
    const version = JSON.parse((await kubectl(['version', '-o', 'json'], { kubeconfig })).stdout);
    expect(version.serverVersion.gitVersion).toMatch(/^v1\.34\./);
    const { stdout, stderr } = await kubectl(['get', 'gdc', '-A'], { kubeconfig });
    expect(stdout + stderr).toMatch(/No resources found/);
    const dryRun = await kubectl(
      ['apply', '--dry-run=server', '-k', resolve(import.meta.dirname, '../../deploy')],
      {
        kubeconfig,
      },
    );
    expect(dryRun.stdout).toMatch(/deployment.apps\/apig-cert-sync created \(server dry run\)/);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
    expect(existsSync(kubeconfig)).toBe(false);
  }, 120_000);
});
