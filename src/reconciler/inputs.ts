// The two Secrets a resource names, read at reconcile time (the source may serve what the watch just
// delivered, or an unchanged credentials Secret, instead of a GET) and turned into inputs or precise
// failures. Secret values are handled as opaque strings and never echoed in messages.
import type { GatewayDomainCertificate } from '../api/v1alpha1.ts';
import { Reason } from '../api/v1alpha1.ts';
import type { GatewayCredentials } from '../gateway/index.ts';
import { SyncFailure } from './failures.ts';

/** Decoded data of a Secret, or undefined when it does not exist. */
export interface SecretSource {
  /** `role` lets a source serve a read it already holds (see src/controller/secret-reads.ts). */
  get(namespace: string, name: string, role?: 'tls' | 'credentials'): Promise<SecretRead | undefined>;
  /** The digest the Secret watch holds for it (no API call), when it has one. */
  cachedDigest?(namespace: string, name: string): string | undefined;
}

export interface SecretRead {
  type?: string;
  data: Record<string, string>;
  annotations?: Record<string, string>;
  /** secretDataDigest of the data as served (base64), the same the watch computes. */
  digest?: string;
}

export interface TlsInput {
  certPem: string;
  keyPem: string;
  /** Only read when client verification is enabled. */
  trustedCaPem?: string;
  /** The Secret's annotations (cert-manager names its Certificate there). */
  annotations?: Record<string, string>;
  /** Digest of the Secret's data, recorded in status to skip the read next time. */
  digest?: string;
}

export async function loadTlsInput(secrets: SecretSource, gdc: GatewayDomainCertificate): Promise<TlsInput> {
  const { namespace } = gdc.metadata;
  const name = gdc.spec.secretName;
  const secret = await secrets.get(namespace, name, 'tls');
  if (!secret) {
    throw new SyncFailure(
      Reason.SecretNotFound,
      `Secret ${namespace}/${name} does not exist yet`,
      'terminal',
    );
  }
  const certPem = secret.data['tls.crt'];
  const keyPem = secret.data['tls.key'];
  const missing = [!certPem && 'tls.crt', !keyPem && 'tls.key'].filter(Boolean);
  if (!certPem || !keyPem) {
    throw new SyncFailure(
      Reason.InvalidSecret,
      `Secret ${namespace}/${name} has no ${missing.join(' and ')} (type ${secret.type ?? 'unknown'})`,
      'terminal',
    );
  }
  const annotations = {
    ...(secret.annotations ? { annotations: secret.annotations } : {}),
    ...(secret.digest ? { digest: secret.digest } : {}),
  };
  const cv = gdc.spec.clientVerification;
  if (!cv?.enabled) return { certPem, keyPem, ...annotations };
  const caKey = cv.caKey ?? 'ca.crt';
  const trustedCaPem = secret.data[caKey];
  if (!trustedCaPem) {
    throw new SyncFailure(
      Reason.InvalidSecret,
      `client verification is enabled but Secret ${namespace}/${name} has no ${caKey}`,
      'terminal',
    );
  }
  return { certPem, keyPem, trustedCaPem, ...annotations };
}

export async function loadCredentials(
  secrets: SecretSource,
  gdc: GatewayDomainCertificate,
): Promise<GatewayCredentials> {
  const { namespace } = gdc.metadata;
  const name = gdc.spec.credentialsSecretRef.name;
  const secret = await secrets.get(namespace, name, 'credentials');
  if (!secret) {
    throw new SyncFailure(
      Reason.CredentialsNotFound,
      `credentials Secret ${namespace}/${name} does not exist`,
      'terminal',
    );
  }
  const found = credentialsFromData(secret.data);
  if (found) return found;
  const present = Object.keys(secret.data).sort().join(', ') || 'none';
  throw new SyncFailure(
    Reason.CredentialsInvalid,
    `credentials Secret ${namespace}/${name} needs ${CREDENTIAL_KEYS}; keys present: ${present}`,
    'terminal',
  );
}

export const CREDENTIAL_KEYS =
  'accessKey and secretKey (optionally securityToken), or username, password and domainName';

/** The credentials Secret's forms (also what the inventory reads from files and env). */
export function credentialsFromData(d: Record<string, string | undefined>): GatewayCredentials | undefined {
  if (d.accessKey && d.secretKey) {
    return d.securityToken
      ? { kind: 'aksk', accessKey: d.accessKey, secretKey: d.secretKey, securityToken: d.securityToken }
      : { kind: 'aksk', accessKey: d.accessKey, secretKey: d.secretKey };
  }
  if (d.username && d.password && d.domainName) {
    return { kind: 'password', username: d.username, password: d.password, domainName: d.domainName };
  }
  return undefined;
}
