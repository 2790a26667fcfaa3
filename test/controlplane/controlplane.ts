// A real Kubernetes control plane for tests and for humans: etcd + kube-apiserver on loopback ports
// chosen at run time, RBAC on, an admin kubeconfig in a temporary directory. Everything it starts
// and writes is gone after stop(), and after an interrupted run (see process.ts and sweepStale).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Agent, request } from 'undici';
import { freePort, processAlive } from '../support/net.ts';
import { createControlPlanePki } from './pki.ts';
import { type GuardedProcess, startGuarded } from './process.ts';

const DIR_PREFIX = 'apig-cert-sync-cp-';

export interface ControlPlane {
  dir: string;
  binDir: string;
  server: string;
  kubeconfigPath: string;
  kubectlPath: string;
  etcdUrl: string;
  stop(): Promise<void>;
}

/** Finds or builds the binaries (KUBEBUILDER_ASSETS / APIG_CONTROL_PLANE_BIN win). */
export function controlPlaneBinDir(): string {
  const script = resolve(import.meta.dirname, 'build-binaries.sh');
  return execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/** Removes directories left by runs that were killed before they could clean up. */
function sweepStale(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    const ownerFile = join(dir, 'owner.pid');
    const owner = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8')) : 0;
    if (!owner || !processAlive(owner)) rmSync(dir, { recursive: true, force: true });
  }
}

function kubeconfig(server: string, pki: ReturnType<typeof createControlPlanePki>): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster: { server, 'certificate-authority-data': b64(pki.caCertPem) } }],
    users: [
      {
        name: 'admin',
        user: { 'client-certificate-data': b64(pki.adminCertPem), 'client-key-data': b64(pki.adminKeyPem) },
      },
    ],
    contexts: [{ name: 'local', context: { cluster: 'local', user: 'admin', namespace: 'default' } }],
    'current-context': 'local',
  });
}

async function waitReady(
  server: string,
  pki: ReturnType<typeof createControlPlanePki>,
  procs: GuardedProcess[],
): Promise<void> {
  const dispatcher = new Agent({
    connect: { ca: pki.caCertPem, cert: pki.adminCertPem, key: pki.adminKeyPem },
  });
  const deadline = Date.now() + 90_000;
  let last = '';
  try {
    while (Date.now() < deadline) {
      for (const p of procs) {
        if (p.child.exitCode !== null) throw new Error(`${p.name} exited with code ${p.child.exitCode}`);
      }
      try {
        const res = await request(`${server}/readyz`, { dispatcher, headersTimeout: 5000 });
        last = await res.body.text();
        if (res.statusCode === 200) return;
      } catch (err) {
        last = String(err);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`kube-apiserver not ready after 90s: ${last.slice(0, 500)}`);
  } finally {
    await dispatcher.close();
  }
}

export async function startControlPlane(opts: { binDir?: string } = {}): Promise<ControlPlane> {
  sweepStale();
  const binDir = opts.binDir ?? controlPlaneBinDir();
  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  const pki = createControlPlanePki();
  const files = {
    ca: join(dir, 'ca.crt'),
    cert: join(dir, 'apiserver.crt'),
    key: join(dir, 'apiserver.key'),
    saPub: join(dir, 'sa.pub'),
    saKey: join(dir, 'sa.key'),
    kubeconfig: join(dir, 'kubeconfig'),
  };
  writeFileSync(files.ca, pki.caCertPem);
  writeFileSync(files.cert, pki.servingCertPem);
  writeFileSync(files.key, pki.servingKeyPem, { mode: 0o600 });
  writeFileSync(files.saPub, pki.serviceAccountPublicPem);
  writeFileSync(files.saKey, pki.serviceAccountPrivatePem, { mode: 0o600 });

  const procs: GuardedProcess[] = [];
  const stop = async () => {
    for (const p of procs.reverse()) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    procs.push(
      startGuarded(
        'etcd',
        join(binDir, 'etcd'),
        [
          '--name=default',
          `--data-dir=${join(dir, 'etcd')}`,
          `--listen-client-urls=${etcdUrl}`,
          `--advertise-client-urls=${etcdUrl}`,
          `--listen-peer-urls=${peerUrl}`,
          `--initial-advertise-peer-urls=${peerUrl}`,
          `--initial-cluster=default=${peerUrl}`,
          '--unsafe-no-fsync=true',
          '--log-level=warn',
        ],
        join(dir, 'etcd.log'),
      ),
    );
    const server = `https://127.0.0.1:${apiPort}`;
    procs.push(
      startGuarded(
        'kube-apiserver',
        join(binDir, 'kube-apiserver'),
        [
          `--etcd-servers=${etcdUrl}`,
          `--cert-dir=${dir}`,
          `--tls-cert-file=${files.cert}`,
          `--tls-private-key-file=${files.key}`,
          `--client-ca-file=${files.ca}`,
          `--secure-port=${apiPort}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          '--service-cluster-ip-range=10.0.0.0/24',
          '--authorization-mode=RBAC',
          '--allow-privileged=true',
          '--disable-admission-plugins=ServiceAccount',
          '--service-account-issuer=https://kubernetes.default.svc',
          `--service-account-key-file=${files.saPub}`,
          `--service-account-signing-key-file=${files.saKey}`,
          '--endpoint-reconciler-type=none',
          '--v=0',
        ],
        join(dir, 'kube-apiserver.log'),
      ),
    );
    await waitReady(server, pki, procs);
    writeFileSync(files.kubeconfig, kubeconfig(server, pki), { mode: 0o600 });
    return {
      dir,
      binDir,
      server,
      kubeconfigPath: files.kubeconfig,
      kubectlPath: join(binDir, 'kubectl'),
      etcdUrl,
      stop,
    };
  } catch (err) {
    const logTail = ['etcd.log', 'kube-apiserver.log']
      .map((f) => join(dir, f))
      .filter(existsSync)
      .map((f) => `--- ${f}\n${readFileSync(f, 'utf8').slice(-3000)}`)
      .join('\n');
    await stop();
    throw new Error(`control plane failed to start: ${String(err)}\n${logTail}`);
  }
}
