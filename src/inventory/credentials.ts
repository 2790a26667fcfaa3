// Credentials for the inventory, in the credentials Secret's forms (accessKey/secretKey[/securityToken]
// or username/password/domainName), from one of: a Secret read through the kubeconfig, a file (a
// mounted Secret directory, a Secret's JSON, a JSON object or KEY=value lines), or the environment.
// Secret values are never echoed; errors name only the keys that were present.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayCredentials } from '../gateway/index.ts';
import type { KubeConfig } from '../kube/client-node.ts';
import { KubeSecretSource } from '../kube/resources.ts';
import { CREDENTIAL_KEYS, credentialsFromData } from '../reconciler/inputs.ts';

/** Environment names (the Huawei Cloud SDKs' AK/SK names), mapped to the Secret's keys. */
export const CREDENTIAL_ENV: Record<string, string> = {
  HUAWEICLOUD_SDK_AK: 'accessKey',
  HUAWEICLOUD_SDK_SK: 'secretKey',
  HUAWEICLOUD_SDK_SECURITY_TOKEN: 'securityToken',
  HUAWEICLOUD_USERNAME: 'username',
  HUAWEICLOUD_PASSWORD: 'password',
  HUAWEICLOUD_DOMAIN_NAME: 'domainName',
};

export interface CredentialSources {
  /** `namespace/name` of a credentials Secret. */
  secret?: string;
  file?: string;
  env: NodeJS.ProcessEnv;
  kubeConfig?: () => KubeConfig;
}

export async function loadInventoryCredentials(src: CredentialSources): Promise<GatewayCredentials> {
  if (src.secret) {
    const [namespace, name, ...rest] = src.secret.split('/');
    if (!namespace || !name || rest.length > 0)
      throw new Error('--credentials-secret must be NAMESPACE/NAME');
    if (!src.kubeConfig) throw new Error('--credentials-secret needs a cluster (--kubeconfig)');
    const secret = await new KubeSecretSource(src.kubeConfig()).get(namespace, name);
    if (!secret) throw new Error(`credentials Secret ${namespace}/${name} does not exist`);
    return parsed(secret.data, `credentials Secret ${namespace}/${name}`);
  }
  if (src.file) return parsed(readCredentialFile(src.file), `credentials file ${src.file}`);
  const data: Record<string, string> = {};
  for (const [env, key] of Object.entries(CREDENTIAL_ENV)) if (src.env[env]) data[key] = src.env[env];
  return parsed(
    data,
    `environment (${Object.keys(CREDENTIAL_ENV).join(', ')}; or use --credentials-file / --credentials-secret)`,
  );
}

function parsed(data: Record<string, string>, where: string): GatewayCredentials {
  const found = credentialsFromData(data);
  if (found) return found;
  const present = Object.keys(data).sort().join(', ') || 'none';
  throw new Error(`${where} needs ${CREDENTIAL_KEYS}; keys present: ${present}`);
}

function readCredentialFile(path: string): Record<string, string> {
  if (statSync(path).isDirectory()) {
    // A mounted Secret: one file per key (skipping the ..data symlinks the kubelet adds).
    const data: Record<string, string> = {};
    for (const key of readdirSync(path)) {
      if (key.startsWith('.')) continue;
      const file = join(path, key);
      if (statSync(file).isFile()) data[key] = readFileSync(file, 'utf8').trim();
    }
    return data;
  }
  const text = readFileSync(path, 'utf8');
  if (text.trimStart().startsWith('{')) {
    const j = JSON.parse(text) as Record<string, unknown>;
    if (j.kind === 'Secret') {
      const data: Record<string, string> = {};
      for (const [k, v] of Object.entries((j.data ?? {}) as Record<string, string>))
        data[k] = Buffer.from(v, 'base64').toString('utf8');
      return { ...data, ...((j.stringData ?? {}) as Record<string, string>) };
    }
    return Object.fromEntries(Object.entries(j).filter(([, v]) => typeof v === 'string')) as Record<
      string,
      string
    >;
  }
  const data: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (m && !line.trimStart().startsWith('#')) data[CREDENTIAL_ENV[m[1]!] ?? m[1]!] = unquote(m[2]!);
  }
  return data;
}

const unquote = (v: string) => v.replace(/^(['"])(.*)\1$/, '$2');
