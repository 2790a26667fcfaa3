// A seeded cloud account for the inventory tests: SCM plus two gateways (API Gateway and ROMA
// Connect), with certificates in every flag state. Built through the real client calls, except the
// expired one, which no gateway accepts on upload and is placed in the emulator's store directly.
import { X509Certificate } from 'node:crypto';
import { createGatewayClient, type GatewayClient } from '../../src/gateway/index.ts';
import { defaultCertificateName } from '../../src/reconciler/naming.ts';
import { defaultSeed } from '../emulator/seed.ts';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import { microTime, newId } from '../emulator/store.ts';
import { describe as describeCert } from '../emulator/x509.ts';
import { createCA, issueCertificate, type TestCertificate } from '../support/pki.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface Account {
  emu: Emulator;
  /** Namespace the "managed" certificate's resource lives in. */
  ns: string;
  names: {
    managed: string;
    leftover: string;
    leftoverBound: string;
    expiring: string;
    expired: string;
    romaInstance: string;
    romaUnbound: string;
    global: string;
  };
  /** Every private key uploaded, to prove none is ever printed. */
  keys: string[];
  gw: { apig: string; roma: string };
  close(): Promise<void>;
}

const ca = createCA({ commonName: 'inventory test CA' });
const leaf = (dnsNames: string[], days: number): TestCertificate =>
  issueCertificate({ ca, dnsNames, notAfter: new Date(Date.now() + days * DAY + HOUR) });

export async function seededAccount(ns: string): Promise<Account> {
  const seed = defaultSeed();
  const soon = (days: number) => new Date(Date.now() + days * DAY + HOUR).toISOString();
  seed.scmCertificates = [
    { name: 'scm_bought_site', domain: 'bought.example.com', notAfter: soon(400) },
    { name: 'scm_old', domain: 'old.example.com', notAfter: soon(-20) },
    { name: 'scm_soon', domain: 'soon.example.com', sans: ['www.soon.example.com'], notAfter: soon(5) },
    { name: 'scm_extra_1', domain: 'x1.example.com', notAfter: soon(300) },
    { name: 'scm_extra_2', domain: 'x2.example.com', notAfter: soon(301) },
  ];
  const emu = await startEmulator({ seed });
  const [g1, g2] = emu.seed.gateways as [(typeof seed.gateways)[0], (typeof seed.gateways)[0]];
  const client = (family: 'apigw' | 'apic'): GatewayClient =>
    createGatewayClient({
      endpoint: emu.url,
      family,
      projectId: emu.seed.projectId,
      credentials: {
        kind: 'aksk',
        accessKey: seed.credentials.accessKey,
        secretKey: seed.credentials.secretKey,
      },
      allowInsecureHttp: true,
      rateLimit: { ratePerSecond: 1000, burst: 1000 },
    });
  const apig = client('apigw');
  const roma = client('apic');
  const keys: string[] = [];
  // Instance certificates are created, then bound: the same on both gateway families.
  const bound = async (c: GatewayClient, gw: typeof g1, domain: string, name: string, days: number) => {
    const cert = await create(c, gw, [domain], name, days);
    await c.attachDomains(cert.id!, [{ domain, instance_ids: [gw.id] }]);
  };
  const create = async (
    c: GatewayClient,
    gw: typeof g1 | undefined,
    dns: string[],
    name: string,
    days: number,
  ) => {
    const l = leaf(dns, days);
    keys.push(l.keyPem);
    return c.createCertificate({
      name,
      cert_content: l.certPem,
      private_key: l.keyPem,
      ...(gw ? { type: 'instance' as const, instance_id: gw.id } : { type: 'global' as const }),
    });
  };

  const names = {
    managed: defaultCertificateName(ns, 'site'),
    leftover: defaultCertificateName(ns, 'gone'),
    leftoverBound: defaultCertificateName(ns, 'retained'),
    expiring: 'legacy_shop',
    expired: 'old_pay',
    romaInstance: 'roma_static',
    romaUnbound: 'roma_spare',
    global: 'wildcard_global',
  };
  await bound(apig, g1, 'api.example.com', names.managed, 80);
  await create(apig, g1, ['gone.example.com'], names.leftover, 80);
  await bound(apig, g1, 'www.example.com', names.leftoverBound, 120);
  await bound(apig, g1, 'shop.example.com', names.expiring, 10);
  await bound(roma, g2, 'static.example.net', names.romaInstance, 200);
  await create(roma, g2, ['spare.example.net'], names.romaUnbound, 100);
  const global = await create(apig, undefined, ['portal.example.net', 'cdn.example.net'], names.global, 365);
  await roma.attachDomains(global.id!, [
    { domain: 'portal.example.net', instance_ids: [g2.id] },
    { domain: 'cdn.example.net', instance_ids: [g2.id] },
  ]);
  placeExpired(emu, g1.id, 'pay.example.com', names.expired, keys);
  await Promise.all([apig.close(), roma.close()]);
  return { emu, ns, names, keys, gw: { apig: g1.id, roma: g2.id }, close: () => emu.close() };
}

/** An instance certificate that expired 3 days ago, serving pay.example.com (no upload accepts it). */
function placeExpired(emu: Emulator, instanceId: string, domainName: string, name: string, keys: string[]) {
  const l = issueCertificate({
    ca,
    dnsNames: [domainName],
    notBefore: new Date(Date.now() - 90 * DAY),
    notAfter: new Date(Date.now() - 3 * DAY),
  });
  keys.push(l.keyPem);
  const id = newId();
  const now = microTime();
  emu.store.certs.set(id, {
    id,
    name,
    type: 'instance',
    instanceId,
    projectId: emu.store.projectId,
    certContent: l.certPem,
    privateKey: l.keyPem,
    trustedRootCa: null,
    info: describeCert(new X509Certificate(l.certPem)),
    createTime: now,
    updateTime: now,
    scmId: emu.store.nextScmId(),
  });
  const domain = emu.store.allDomains().find((d) => d.instanceId === instanceId && d.name === domainName);
  if (!domain) throw new Error(`no ${domainName} on ${instanceId}`);
  domain.certId = id;
}
