// The control plane's own small PKI: a CA, the API server's serving certificate, an admin client
// certificate (system:masters) and the service-account signing key. RSA keys come from Node's native
// generator (fast); node-forge only assembles the X.509 structures.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface ControlPlanePki {
  caCertPem: string;
  caKeyPem: string;
  servingCertPem: string;
  servingKeyPem: string;
  adminCertPem: string;
  adminKeyPem: string;
  serviceAccountPublicPem: string;
  serviceAccountPrivatePem: string;
}

function rsaKeyPair(): { publicPem: string; privatePem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  };
}

interface CertRequest {
  subject: forge.pki.CertificateField[];
  publicPem: string;
  issuer?: { cert: forge.pki.Certificate; keyPem: string };
  selfKeyPem: string;
  extensions: object[];
}

function makeCert(req: CertRequest): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(req.publicPem);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 7 * 24 * 3600_000);
  cert.setSubject(req.subject);
  cert.setIssuer(req.issuer ? req.issuer.cert.subject.attributes : req.subject);
  cert.setExtensions(req.extensions);
  const signingKey = forge.pki.privateKeyFromPem(req.issuer ? req.issuer.keyPem : req.selfKeyPem);
  cert.sign(signingKey, forge.md.sha256.create());
  return cert;
}

export function createControlPlanePki(): ControlPlanePki {
  const ca = rsaKeyPair();
  const caCert = makeCert({
    subject: [{ name: 'commonName', value: 'apig-cert-sync test CA' }],
    publicPem: ca.publicPem,
    selfKeyPem: ca.privatePem,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const issuer = { cert: caCert, keyPem: ca.privatePem };

  const serving = rsaKeyPair();
  const servingCert = makeCert({
    subject: [{ name: 'commonName', value: 'kube-apiserver' }],
    publicPem: serving.publicPem,
    selfKeyPem: serving.privatePem,
    issuer,
    extensions: [
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 2, value: 'kubernetes.default.svc' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '10.0.0.1' },
        ],
      },
    ],
  });

  const admin = rsaKeyPair();
  const adminCert = makeCert({
    subject: [
      { name: 'commonName', value: 'test-admin' },
      { name: 'organizationName', value: 'system:masters' },
    ],
    publicPem: admin.publicPem,
    selfKeyPem: admin.privatePem,
    issuer,
    extensions: [
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });

  const sa = rsaKeyPair();
  return {
    caCertPem: forge.pki.certificateToPem(caCert),
    caKeyPem: ca.privatePem,
    servingCertPem: forge.pki.certificateToPem(servingCert),
    servingKeyPem: serving.privatePem,
    adminCertPem: forge.pki.certificateToPem(adminCert),
    adminKeyPem: admin.privatePem,
    serviceAccountPublicPem: sa.publicPem,
    serviceAccountPrivatePem: sa.privatePem,
  };
}
