// JSON shapes of the answers, field names as on the reference pages; where apigw and apic differ, the
// official Go SDK's models (services/apig/v2, services/roma/v2) say how (see README "Families").
import type { CertRec, DomainRec, GroupRec, Store } from './store.ts';

export type Family = 'apigw' | 'apic';

/** Full certificate (page 000 fields plus the certificates-API extras in huawei-cloud-apis.md). */
export function certView(c: CertRec) {
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    instance_id: c.instanceId,
    project_id: c.projectId,
    common_name: c.info.common_name,
    san: c.info.san,
    version: c.info.version,
    organization: c.info.organization,
    organizational_unit: c.info.organizational_unit,
    locality: c.info.locality,
    state: c.info.state,
    country: c.info.country,
    not_before: c.info.not_before,
    not_after: c.info.not_after,
    serial_number: c.info.serial_number,
    issuer: c.info.issuer,
    signature_algorithm: c.info.signature_algorithm,
    create_time: c.createTime,
    update_time: c.updateTime,
    is_has_trusted_root_ca: c.trustedRootCa !== null,
    algorithm_type: c.info.algorithm_type,
  };
}

/**
 * Page 000, the certificate a domain serves. API Gateway's model has no algorithm_type and no
 * is_has_trusted_root_ca there (ROMA Connect's has both).
 */
export function domainCertView(c: CertRec, family: Family) {
  const { algorithm_type, is_has_trusted_root_ca, ...rest } = certView(c);
  return family === 'apic' ? { ...rest, algorithm_type, is_has_trusted_root_ca } : rest;
}

/** List item (page 001 CertBase): no serial_number. */
export function certBaseView(c: CertRec) {
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    instance_id: c.instanceId,
    project_id: c.projectId,
    common_name: c.info.common_name,
    san: c.info.san,
    not_after: c.info.not_after,
    signature_algorithm: c.info.signature_algorithm,
    create_time: c.createTime,
    update_time: c.updateTime,
    algorithm_type: c.info.algorithm_type,
    is_has_trusted_root_ca: c.trustedRootCa !== null,
  };
}

/** apigw SslInfo.type is an integer (1 this instance, 2 global) with is_has_trusted_root_ca; apic's a string. */
function sslInfos(store: Store, d: DomainRec, family: Family) {
  const c = d.certId ? store.certs.get(d.certId) : undefined;
  if (!c) return [];
  const common = { ssl_id: c.id, ssl_name: c.name, algorithm_type: c.info.algorithm_type };
  return family === 'apigw'
    ? [{ ...common, type: c.type === 'instance' ? 1 : 2, is_has_trusted_root_ca: c.trustedRootCa !== null }]
    : [{ ...common, type: c.type }];
}

/**
 * Answer of the domain upload (page 004); there is always a certificate bound after it. API Gateway's
 * answer has no ssl_infos; it adds instance_id, api_group_id, api_group_name (SDK model).
 */
export function domainView(store: Store, d: DomainRec, family: Family) {
  const c = d.certId ? store.certs.get(d.certId) : undefined;
  const base = {
    url_domain: d.name,
    id: d.id,
    status: d.status,
    min_ssl_version: d.minSslVersion,
    is_http_redirect_to_https: d.redirectToHttps,
    verified_client_certificate_enabled: d.verifiedClientCertificateEnabled,
    ssl_name: c?.name ?? '',
    ssl_id: c?.id ?? '',
  };
  if (family === 'apic') return { ...base, ssl_infos: sslInfos(store, d, family) };
  const g = store.group(d);
  return { ...base, instance_id: d.instanceId, api_group_id: g.id, api_group_name: g.name };
}

/** A group's `url_domains[]` item: there the name field is `domain`. */
export function urlDomainView(store: Store, d: DomainRec, family: Family) {
  const c = d.certId ? store.certs.get(d.certId) : undefined;
  return {
    id: d.id,
    domain: d.name,
    cname_status: d.status,
    ...(c ? { ssl_id: c.id, ssl_name: c.name } : {}),
    min_ssl_version: d.minSslVersion,
    verified_client_certificate_enabled: d.verifiedClientCertificateEnabled,
    is_has_trusted_root_ca: c ? c.trustedRootCa !== null : false,
    ssl_infos: sslInfos(store, d, family),
  };
}

export function groupView(store: Store, g: GroupRec, family: Family) {
  return {
    id: g.id,
    name: g.name,
    status: 1,
    sl_domain: `${g.id}.apic.emulator.huaweicloudapis.com`,
    sl_domains: [`${g.id}.apic.emulator.huaweicloudapis.com`],
    register_time: g.registerTime,
    update_time: g.registerTime,
    on_sell_status: 2,
    remark: '',
    is_default: 2,
    version: 'V1',
    url_domains: g.domains.map((d) => urlDomainView(store, d, family)),
  };
}

/** `bound_domains[]` item of attached-domains. */
export function boundDomainView(store: Store, d: DomainRec) {
  const g = store.group(d);
  const c = d.certId ? store.certs.get(d.certId) : undefined;
  return {
    id: d.id,
    url_domain: d.name,
    instance_id: d.instanceId,
    status: d.status,
    min_ssl_version: d.minSslVersion,
    verified_client_certificate_enabled: d.verifiedClientCertificateEnabled,
    api_group_id: g.id,
    api_group_name: g.name,
    ...(c ? { ssl_id: c.id, ssl_name: c.name } : {}),
  };
}

/** SCM CertificateDetail (page 002) for a certificate uploaded to the gateway. */
export function scmView(c: CertRec, now = Date.now()) {
  return scmEntry(
    c.scmId,
    c.name,
    c.info.common_name || c.info.san[0] || '',
    c.info.san,
    c.info.not_after,
    c.info.algorithm_type === 'ECC',
    now,
  );
}

/** The same shape for a certificate SCM holds itself (seed `scmCertificates`). */
export function scmOnlyView(c: Store['scmOnly'][number], now = Date.now()) {
  const notAfter = new Date(c.notAfter).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return scmEntry(c.scmId, c.name, c.domain, [c.domain, ...(c.sans ?? [])], notAfter, false, now);
}

function scmEntry(
  id: string,
  name: string,
  domain: string,
  san: string[],
  notAfter: string,
  ecc: boolean,
  now: number,
) {
  const wildcards = san.filter((s) => s.startsWith('*.')).length;
  const expired = Date.parse(notAfter) < now;
  return {
    id,
    name,
    domain,
    sans: san.join(';'),
    type: 'DV_SSL_CERT',
    deploy_support: true,
    signature_algorithm: ecc ? 'SHA256WITHECDSA' : 'SHA256WITHRSA',
    brand: 'OTHERS',
    expire_time: `${notAfter.replace('T', ' ').replace('Z', '')}.0`,
    domain_type: san.length > 1 ? 'MULTI_DOMAIN' : wildcards > 0 ? 'WILDCARD' : 'SINGLE_DOMAIN',
    validity_period: 12,
    status: expired ? 'EXPIRED' : 'UPLOAD',
    domain_count: Math.max(1, san.length),
    wildcard_count: wildcards,
    // The SDK's CertificateDetail requires these two (page 002 lists description only).
    description: '',
    enterprise_project_id: '0',
  };
}
