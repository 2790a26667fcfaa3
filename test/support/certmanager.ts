// The real cert-manager controller for end-to-end tests: our small main from test/gotools/cert-manager
// (built from the cert-manager Go module) run against the test control plane, and its CRDs read from
// the same module's deploy/crds. One process per test file, confined to that file's namespace.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startGuarded } from '../controlplane/process.ts';
import { goTool } from './gotool.ts';

const TOOL_DIR = resolve(import.meta.dirname, '../gotools/cert-manager');
const MODULE = 'github.com/cert-manager/cert-manager';
const CRDS = ['certificaterequests', 'certificates', 'clusterissuers', 'issuers'];

/** The cert-manager version the tool is built from (its go.mod). */
export function certManagerVersion(): string {
  const mod = readFileSync(join(TOOL_DIR, 'go.mod'), 'utf8');
  return mod.match(/github\.com\/cert-manager\/cert-manager (v\S+)/)?.[1] ?? 'unknown';
}

/** deploy/crds of the cert-manager module version the tool is built from (downloaded if missing). */
export function certManagerCrdFiles(): string[] {
  const out = execFileSync('go', ['mod', 'download', '-json', MODULE], {
    cwd: TOOL_DIR,
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=readonly' },
  });
  const dir = (JSON.parse(out) as { Dir?: string }).Dir;
  if (!dir) throw new Error(`go mod download found no directory for ${MODULE}`);
  return CRDS.map((c) => join(dir, 'deploy/crds', `cert-manager.io_${c}.yaml`));
}

/**
 * Applies cert-manager's CRDs (server-side: the Issuer CRDs exceed the client-side annotation limit).
 * Test files run in parallel and may race on creating them; a second try then finds them.
 */
export async function installCertManagerCrds(kubectl: (args: string[]) => Promise<unknown>): Promise<void> {
  const args = ['apply', '--server-side', '--force-conflicts', '--field-manager=apig-tests'];
  for (const file of certManagerCrdFiles()) {
    for (let attempt = 1; ; attempt++) {
      try {
        await kubectl([...args, '-f', file]);
        break;
      } catch (err) {
        if (attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
  }
  const names = CRDS.map((c) => `crd/${c}.cert-manager.io`);
  await kubectl(['wait', '--for=condition=Established', '--timeout=60s', ...names]);
}

export interface CertManager {
  /** Its log so far (klog on stderr), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Starts the controller for one namespace and waits until its caches are synced. */
export async function startCertManager(opts: {
  kubeconfig: string;
  namespace: string;
  /** The binary; default: built or found in the cache by test/gotools/build.sh. */
  bin?: string;
  timeoutMs?: number;
}): Promise<CertManager> {
  const bin = opts.bin ?? goTool('cert-manager');
  const { kubeconfig, namespace } = opts;
  const dir = mkdtempSync(join(tmpdir(), 'apig-cert-manager-'));
  const logFile = join(dir, 'cert-manager.log');
  const proc = startGuarded(
    'cert-manager',
    bin,
    [`--kubeconfig=${kubeconfig}`, `--namespace=${namespace}`, '-v=2'],
    logFile,
  );
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const stop = async () => {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  while (!log().includes('cert-manager: started ')) {
    if (proc.child.exitCode !== null || Date.now() > deadline) {
      const text = log();
      await stop();
      throw new Error(`cert-manager did not start (exit ${proc.child.exitCode}):\n${text.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { log, stop };
}
