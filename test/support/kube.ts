// Test helpers over the real control plane started by the vitest global setup.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';

const execFileP = promisify(execFile);

export function kubeconfigPath(): string {
  const path = inject('kubeconfigPath');
  if (!path)
    throw new Error(
      'no control plane: this test needs the vitest global setup (unset APIG_NO_CONTROL_PLANE)',
    );
  return path;
}

/** A client authenticated as cluster admin (client certificate in system:masters). */
export function adminKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  return kc;
}

/**
 * Calls `seen` with the method and URL of every request made with `kc` (kubeRequest, watches), where
 * the client authenticates it: what the code under test asked of the API server, not what it meant to.
 */
export function onEachRequest(kc: KubeConfig, seen: (method: string, url: URL) => void): KubeConfig {
  const authenticate = kc.applySecurityAuthentication.bind(kc);
  kc.applySecurityAuthentication = async (ctx) => {
    seen(ctx.getHttpMethod(), new URL(ctx.getUrl()));
    return authenticate(ctx);
  };
  return kc;
}

/** A fresh namespace with a unique name, so tests never see each other's objects. */
export async function createNamespace(prefix = 'test'): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`.slice(0, 63);
  await adminKubeConfig()
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name } } });
  return name;
}

/** A client authenticated as a ServiceAccount through a TokenRequest, so RBAC applies for real. */
export async function serviceAccountKubeConfig(namespace: string, name: string): Promise<KubeConfig> {
  const admin = adminKubeConfig();
  const core = admin.makeApiClient(CoreV1Api);
  try {
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
  const tr = await core.createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const token = tr.status?.token;
  if (!token) throw new Error('TokenRequest returned no token');
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('admin kubeconfig has no cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, name: 'local' }],
    users: [{ name: `${namespace}-${name}`, token }],
    contexts: [{ name: 'sa', cluster: 'local', user: `${namespace}-${name}`, namespace }],
    currentContext: 'sa',
  });
  return kc;
}

/** Polls `check` until it returns a truthy value; fails with `what` and the last error after the timeout. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs = 30_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
  );
}

/** The real kubectl of the control plane's version, against the test cluster. */
export async function kubectl(
  args: string[],
  opts: { kubeconfig?: string; input?: string } = {},
): Promise<{ stdout: string; stderr: string }> {
  const bin = inject('kubectlPath');
  const env = { ...process.env, KUBECONFIG: opts.kubeconfig ?? kubeconfigPath() };
  const child = execFileP(bin, args, { env, maxBuffer: 16 << 20 });
  if (opts.input !== undefined) {
    child.child.stdin?.end(opts.input);
  }
  return child;
}
