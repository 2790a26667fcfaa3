// `GET /__admin/state`: which certificate every domain serves, and every certificate; `GET /__admin/served`: one domain.
import type { Store } from './store.ts';

export interface ServedCertificate {
  id: string;
  name: string;
  serial_number: string;
  not_after: string;
  common_name: string;
  san: string[];
  /** Whether the upload carried trusted_root_ca (the mTLS pitfall). */
  trusted_root_ca_sent: boolean;
}

export interface DomainState {
  instance_id: string;
  group_id: string;
  group_name: string;
  domain_id: string;
  url_domain: string;
  verified_client_certificate_enabled: boolean;
  certificate: ServedCertificate | null;
}

export interface CertificateState extends ServedCertificate {
  type: 'global' | 'instance';
  instance_id: string;
  algorithm_type: string;
  signature_algorithm: string;
  create_time: string;
  update_time: string;
  /** Domain ids this certificate is bound to. */
  bound_domains: string[];
  /** PEM as uploaded (tests compare it to what they sent); the private key is never exposed. */
  cert_content: string;
}

export interface StateSnapshot {
  project_id: string;
  domains: DomainState[];
  certificates: CertificateState[];
}

function servedCertificate(store: Store, id: string | null): ServedCertificate | null {
  const c = id ? store.certs.get(id) : undefined;
  if (!c) return null;
  return {
    id: c.id,
    name: c.name,
    serial_number: c.info.serial_number,
    not_after: c.info.not_after,
    common_name: c.info.common_name,
    san: [...c.info.san],
    trusted_root_ca_sent: c.trustedRootCa !== null,
  };
}

/** `GET /__admin/served`: the certificate one domain (by name, on one instance) serves, or null. */
export function servedBy(
  store: Store,
  instanceId: string,
  domain: string,
): { certificate: ServedCertificate | null } {
  const d = store
    .instance(instanceId)
    ?.groups.flatMap((g) => g.domains)
    .find((x) => x.name === domain);
  return { certificate: servedCertificate(store, d?.certId ?? null) };
}

export function snapshot(store: Store): StateSnapshot {
  const served = (id: string | null) => servedCertificate(store, id);
  return {
    project_id: store.projectId,
    domains: store.instances.flatMap((i) =>
      i.groups.flatMap((g) =>
        g.domains.map((d) => ({
          instance_id: i.id,
          group_id: g.id,
          group_name: g.name,
          domain_id: d.id,
          url_domain: d.name,
          verified_client_certificate_enabled: d.verifiedClientCertificateEnabled,
          certificate: served(d.certId),
        })),
      ),
    ),
    certificates: [...store.certs.values()].map((c) => ({
      ...(served(c.id) as ServedCertificate),
      type: c.type,
      instance_id: c.instanceId,
      algorithm_type: c.info.algorithm_type,
      signature_algorithm: c.info.signature_algorithm,
      create_time: c.createTime,
      update_time: c.updateTime,
      bound_domains: store.boundDomains(c.id).map((d) => d.id),
      cert_content: c.certContent,
    })),
  };
}
