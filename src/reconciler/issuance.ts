// Only certificates cert-manager means: while a Secret holds cert-manager's temporary certificate, or
// while the Certificate that writes it is not Ready for its current spec, the issuance is still in
// progress, so nothing is pushed and the domain keeps its last good certificate. Secrets cert-manager
// did not write (no annotation), or whose Certificate is not known (no watch), are judged on content.
import type { GatewayDomainCertificate } from '../api/v1alpha1.ts';
import { Reason } from '../api/v1alpha1.ts';
import { isTemporaryCertificate } from '../certs/index.ts';
import { SyncFailure } from './failures.ts';
import type { TlsInput } from './inputs.ts';

/** The annotation cert-manager sets on every Secret it writes, naming its Certificate. */
export const CERTIFICATE_NAME_ANNOTATION = 'cert-manager.io/certificate-name';

/** What the operator keeps of a cert-manager Certificate: which Secret it writes and whether it is Ready. */
export interface CertificateState {
  name: string;
  secretName: string;
  generation?: number;
  /** The Ready condition; absent until cert-manager has judged the Certificate. */
  ready?: { status: string; reason?: string; message?: string; observedGeneration?: number };
}

/** Ready=True for the Certificate's current spec (an older observedGeneration judged an older spec). */
export function certificateReady(c: CertificateState): boolean {
  const r = c.ready;
  if (r?.status !== 'True') return false;
  return (
    r.observedGeneration === undefined || c.generation === undefined || r.observedGeneration >= c.generation
  );
}

/**
 * An IssuancePending failure when the Secret's certificate is not one to push yet, else undefined.
 * `certificate` is the cached Certificate whose spec.secretName is this Secret, if the watch knows one.
 */
export function pendingIssuance(
  gdc: GatewayDomainCertificate,
  tls: TlsInput,
  certificate?: CertificateState,
): SyncFailure | undefined {
  const ns = gdc.metadata.namespace;
  const named = tls.annotations?.[CERTIFICATE_NAME_ANNOTATION];
  const known = gdc.status?.certificate?.serialNumber;
  const keeps = known ? `the gateway keeps serving serial ${known}` : 'nothing is pushed until then';
  if (isTemporaryCertificate(tls.certPem)) {
    const who = named ? `Certificate ${ns}/${named}` : 'its issuer';
    return new SyncFailure(
      Reason.IssuancePending,
      `Secret ${ns}/${gdc.spec.secretName} holds cert-manager's temporary certificate (issuer CN=cert-manager.local); waiting for ${who} to be issued, ${keeps}`,
      'terminal',
    );
  }
  // Both sides must agree: the Secret names the Certificate, and the Certificate writes this Secret.
  if (!certificate || !named || named !== certificate.name) return undefined;
  if (certificate.secretName !== gdc.spec.secretName || certificateReady(certificate)) return undefined;
  return new SyncFailure(
    Reason.IssuancePending,
    `Certificate ${ns}/${certificate.name} is not Ready (${readySummary(certificate)}); waiting for cert-manager to issue Secret ${ns}/${gdc.spec.secretName}, ${keeps}`,
    'terminal',
  );
}

const MAX_MESSAGE = 160;

function readySummary(c: CertificateState): string {
  const r = c.ready;
  if (!r) return 'no Ready condition yet';
  if (r.status === 'True') return `Ready for generation ${r.observedGeneration}, spec is at ${c.generation}`;
  const msg = r.message && r.message.length > MAX_MESSAGE ? `${r.message.slice(0, MAX_MESSAGE)}…` : r.message;
  return [`Ready=${r.status}`, r.reason, msg].filter(Boolean).join(': ');
}
