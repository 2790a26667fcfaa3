// Only certificates cert-manager means: while a Secret holds cert-manager's temporary certificate the
// issuance is still in progress, so nothing is pushed and the domain keeps its last good certificate.
import type { GatewayDomainCertificate } from '../api/v1alpha1.ts';
import { Reason } from '../api/v1alpha1.ts';
import { isTemporaryCertificate } from '../certs/index.ts';
import { SyncFailure } from './failures.ts';
import type { TlsInput } from './inputs.ts';

/** The annotation cert-manager sets on every Secret it writes, naming its Certificate. */
export const CERTIFICATE_NAME_ANNOTATION = 'cert-manager.io/certificate-name';

/** An IssuancePending failure when the Secret's certificate is not one to push yet, else undefined. */
export function pendingIssuance(gdc: GatewayDomainCertificate, tls: TlsInput): SyncFailure | undefined {
  if (!isTemporaryCertificate(tls.certPem)) return undefined;
  const ns = gdc.metadata.namespace;
  const certificate = tls.annotations?.[CERTIFICATE_NAME_ANNOTATION];
  const who = certificate ? `Certificate ${ns}/${certificate}` : 'its issuer';
  const known = gdc.status?.certificate?.serialNumber;
  const keeps = known ? `the gateway keeps serving serial ${known}` : 'nothing is pushed until then';
  return new SyncFailure(
    Reason.IssuancePending,
    `Secret ${ns}/${gdc.spec.secretName} holds cert-manager's temporary certificate (issuer CN=cert-manager.local); waiting for ${who} to be issued, ${keeps}`,
    'terminal',
  );
}
