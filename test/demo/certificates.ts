// Where the demo's certificates come from: the real cert-manager controller when its test build is
// cached (test/gotools/cert-manager), otherwise a hand-made Secret written the way cert-manager
// writes it. Either way the operator only ever sees the Secret.
import {
  type CertManager,
  certManagerVersion,
  installCertManagerCrds,
  startCertManager,
} from '../support/certmanager.ts';
import {
  createCertificate,
  getCertificate,
  leafSerial,
  renewCertificate,
  waitIssued,
} from '../support/certmanager-objects.ts';
import { createIssuers } from '../support/certmanager-pki.ts';
import type { FixtureBase } from '../support/operator.ts';
import { createCA, issueCertificate, tlsSecretData } from '../support/pki.ts';

export interface CertificateSource {
  /** Said once at the start, so the reader knows which one ran. */
  label: string;
  setupStep: string;
  /** How many renewals the demo times. */
  renewals: number;
  /** Puts the first certificate into the Secret; resolves with its serial. */
  setup(): Promise<string>;
  /** Renews; resolves with the new serial once it is in the Secret. */
  renew(): Promise<string>;
  /** How many certificates were issued so far (cert-manager's revision), to tell its issuances from our writes. */
  issued?(): Promise<number>;
  stop(): Promise<void>;
}

/** cert-manager issues `secretName` for `domain` from a CA Issuer; renewals as `cmctl renew` does. */
export function realCertManager(
  base: FixtureBase,
  opts: { bin: string; kubeconfig: string; kubectl: (args: string[]) => Promise<unknown> },
  secretName: string,
  domain: string,
): CertificateSource {
  let cm: CertManager | undefined;
  return {
    label: `the real cert-manager controller ${certManagerVersion()} (${opts.bin})`,
    setupStep: 'start cert-manager; CA Issuer; Certificate issued into the TLS Secret',
    renewals: 5,
    async setup() {
      await installCertManagerCrds(opts.kubectl);
      cm = await startCertManager({ kubeconfig: opts.kubeconfig, namespace: base.ns, bin: opts.bin });
      await createIssuers(base, { intermediate: false });
      await createCertificate(base, 'shop', {
        secretName,
        dnsNames: [domain],
        issuerRef: { name: 'root-ca', kind: 'Issuer' },
        privateKey: { algorithm: 'ECDSA', size: 256 },
      });
      return (await waitIssued(base, 'shop')).serial;
    },
    async renew() {
      const revision = await renewCertificate(base, 'shop');
      return (await waitIssued(base, 'shop', revision)).serial;
    },
    async issued() {
      return (await getCertificate(base, 'shop')).status?.revision ?? 0;
    },
    async stop() {
      await cm?.stop();
    },
  };
}

/** A Secret as cert-manager writes it, from a CA made here; a renewal replaces it. */
export function handMadeSecret(base: FixtureBase, secretName: string, domain: string): CertificateSource {
  const ca = createCA({ commonName: 'Demo Issuer CA', keyType: 'ec' });
  const write = async (replace: boolean) => {
    const leaf = issueCertificate({ ca, dnsNames: [domain], keyType: 'ec', keyFormat: 'sec1' });
    const body = {
      metadata: { name: secretName },
      type: 'kubernetes.io/tls',
      stringData: { ...tlsSecretData(leaf, ca) },
    };
    const secret = replace
      ? await base.core.replaceNamespacedSecret({ name: secretName, namespace: base.ns, body })
      : await base.core.createNamespacedSecret({ namespace: base.ns, body });
    return leafSerial(secret);
  };
  return {
    label:
      'a hand-made TLS Secret as cert-manager writes it (cert-manager is not built here: bash test/gotools/build.sh cert-manager)',
    setupStep: 'create the TLS Secret (as cert-manager writes it)',
    renewals: 1,
    setup: () => write(false),
    renew: () => write(true),
    stop: async () => {},
  };
}
