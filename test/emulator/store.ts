// The emulated cloud's state: gateways, groups, domains, certificates and which certificate each
// domain serves. Handlers change it; admin endpoints and the library read it.
import { randomBytes } from 'node:crypto';
import type { Seed, SeedScmCertificate } from './seed.ts';
import type { CertInfo } from './x509.ts';

export interface DomainRec {
  id: string;
  name: string;
  instanceId: string;
  groupId: string;
  /** CNAME resolution: 1 not resolved, 2 resolving, 3 resolved, 4 failed. */
  status: number;
  minSslVersion: string;
  redirectToHttps: boolean;
  verifiedClientCertificateEnabled: boolean;
  certId: string | null;
}

export interface GroupRec {
  id: string;
  name: string;
  instanceId: string;
  registerTime: string;
  domains: DomainRec[];
}

export interface InstanceRec {
  id: string;
  name: string;
  groups: GroupRec[];
}

export interface CertRec {
  id: string;
  name: string;
  type: 'global' | 'instance';
  /** `common` for global certificates, as the pages say. */
  instanceId: string;
  projectId: string;
  certContent: string;
  privateKey: string;
  trustedRootCa: string | null;
  info: CertInfo;
  createTime: string;
  updateTime: string;
  /** 16-character id the certificate has in the SCM listing. */
  scmId: string;
}

export const newId = (): string => randomBytes(16).toString('hex');

/** `2021-08-26T07:27:06.304004Z`: microseconds, as in page 001. */
export const microTime = (d = new Date()): string => d.toISOString().replace(/Z$/, '000Z');

export class Store {
  readonly projectId: string;
  readonly instances: InstanceRec[];
  readonly certs = new Map<string, CertRec>();
  /** SCM's own certificates (not on any gateway), with the SCM ids they were given. */
  readonly scmOnly: Array<SeedScmCertificate & { scmId: string; updateTime: string }>;
  private scmSeq = 0;

  constructor(seed: Seed) {
    this.projectId = seed.projectId;
    const now = microTime();
    this.instances = seed.gateways.map((gw) => ({
      id: gw.id,
      name: gw.name,
      groups: gw.groups.map((g) => ({
        id: g.id,
        name: g.name,
        instanceId: gw.id,
        registerTime: now,
        domains: g.domains.map((d) => ({
          id: d.id,
          name: d.name,
          instanceId: gw.id,
          groupId: g.id,
          status: 3,
          minSslVersion: 'TLSv1.2',
          redirectToHttps: false,
          verifiedClientCertificateEnabled: false,
          certId: null,
        })),
      })),
    }));
    this.scmOnly = (seed.scmCertificates ?? []).map((c) => ({
      ...c,
      scmId: this.nextScmId(),
      updateTime: now,
    }));
  }

  instance(id: string): InstanceRec | undefined {
    return this.instances.find((i) => i.id === id);
  }

  allDomains(): DomainRec[] {
    return this.instances.flatMap((i) => i.groups.flatMap((g) => g.domains));
  }

  group(domain: DomainRec): GroupRec {
    const g = this.instance(domain.instanceId)?.groups.find((x) => x.id === domain.groupId);
    if (!g) throw new Error('domain without group');
    return g;
  }

  boundDomains(certId: string): DomainRec[] {
    return this.allDomains().filter((d) => d.certId === certId);
  }

  nextScmId(): string {
    this.scmSeq++;
    return `scs${String(Date.now()).padStart(13, '0').slice(-10)}${String(this.scmSeq).padStart(3, '0')}`;
  }
}
