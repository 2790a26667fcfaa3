// Request and answer shapes of the gateway calls. Field names are spelled exactly as the Huawei Cloud
// reference pages and the official Go SDK's models spell them (snake_case), so bodies go on the wire
// without any mapping. Where API Gateway and ROMA Connect differ, the SDK's models say how
// (services/apig/v2, services/roma/v2; checked by test/conformance).

/** `apigw`: API Gateway (dedicated gateways); `apic`: ROMA Connect. Same paths under either prefix. */
export type Family = 'apigw' | 'apic';

export type CertificateScope = 'global' | 'instance';
export type AlgorithmType = 'RSA' | 'ECC' | 'SM2';

/** Body of create / update certificate (the SDK's CertificateForm, same on both families). */
export interface CertificateInput {
  name: string;
  cert_content: string;
  private_key: string;
  type?: CertificateScope;
  instance_id?: string;
  /** Switches on client-certificate (mTLS) verification: send it only when asked for. */
  trusted_root_ca?: string;
  algorithm_type?: AlgorithmType;
  cert_content_sign?: string;
  private_key_sign?: string;
}

/**
 * Body of the domain upload call (page 004, the SDK's CertForm). API Gateway's has only name,
 * cert_content and private_key; ROMA Connect's adds type, instance_id and trusted_root_ca.
 */
export interface DomainCertificateInput {
  name: string;
  cert_content: string;
  private_key: string;
  /** ROMA Connect only. */
  type?: CertificateScope;
  /** ROMA Connect only. */
  instance_id?: string;
  /** ROMA Connect only: API Gateway's upload cannot carry it (use the certificates API). */
  trusted_root_ca?: string;
}

/**
 * Certificate details (page 000, and create/show/update answers). Examples omit fields: all optional.
 * API Gateway's page-000 answer has no algorithm_type and no is_has_trusted_root_ca.
 */
export interface CertificateDetail {
  id?: string;
  name?: string;
  type?: CertificateScope | string;
  instance_id?: string;
  project_id?: string;
  common_name?: string;
  san?: string[];
  version?: number;
  organization?: string[];
  organizational_unit?: string[];
  locality?: string[];
  state?: string[];
  country?: string[];
  not_before?: string;
  not_after?: string;
  serial_number?: string;
  issuer?: string[];
  signature_algorithm?: string;
  create_time?: string;
  update_time?: string;
  is_has_trusted_root_ca?: boolean;
  algorithm_type?: AlgorithmType | string;
}

/** List item of GET .../certificates (page 001): note there is no serial_number. */
export interface CertBase {
  id: string;
  name: string;
  type?: CertificateScope | string;
  instance_id?: string;
  project_id?: string;
  common_name?: string;
  san?: string[];
  not_after?: string;
  signature_algorithm?: string;
  create_time?: string;
  update_time?: string;
  algorithm_type?: AlgorithmType | string;
  is_has_trusted_root_ca?: boolean;
}

export interface ListCertificatesQuery {
  offset?: number;
  /** ≤ 500, default 20 (the service clamps). */
  limit?: number;
  name?: string;
  common_name?: string;
  signature_algorithm?: string;
  /** `global` lists the certificates every gateway can use, `instance` the gateway's own. */
  type?: CertificateScope | string;
  /**
   * Mandatory on both families (page 001, SDK): the gateway whose usable certificates are listed.
   * Global certificates show `instance_id: common`, but `common` is no gateway to list on.
   */
  instance_id: string;
  algorithm_type?: AlgorithmType | string;
}

export interface ListCertificatesResponse {
  size: number;
  total: number;
  certs: CertBase[];
}

export interface SslInfo {
  ssl_id?: string;
  ssl_name?: string;
  algorithm_type?: AlgorithmType | string;
  /** API Gateway: 1 this gateway, 2 global (an integer); ROMA Connect: `instance` / `global`. */
  type?: CertificateScope | 1 | 2 | string | number;
  /** API Gateway only. */
  is_has_trusted_root_ca?: boolean;
}

/** An SslInfo's scope in either family's spelling. */
export function sslInfoScope(info: SslInfo): CertificateScope | undefined {
  if (info.type === 1 || info.type === 'instance') return 'instance';
  if (info.type === 2 || info.type === 'global') return 'global';
  return undefined;
}

/** 201 answer of the domain upload call (page 004): ssl_infos is ROMA Connect's, the last three apig's. */
export interface DomainCertificateUploadResponse {
  url_domain?: string;
  id?: string;
  /** CNAME status: 1 not resolved, 2 resolving, 3 resolved, 4 failed. */
  status?: number;
  min_ssl_version?: string;
  is_http_redirect_to_https?: boolean;
  verified_client_certificate_enabled?: boolean;
  ssl_name?: string;
  ssl_id?: string;
  ssl_infos?: SslInfo[];
  instance_id?: string;
  api_group_id?: string;
  api_group_name?: string;
}

/** One entry of the attach / detach body (page 003). */
export interface AttachOrDetachDomainInfo {
  domain: string;
  instance_ids?: string[];
  verified_client_certificate_enabled?: boolean;
}

export interface BoundDomain {
  id?: string;
  url_domain?: string;
  instance_id?: string;
  status?: number;
  min_ssl_version?: string;
  verified_client_certificate_enabled?: boolean;
  api_group_id?: string;
  api_group_name?: string;
  ssl_id?: string;
  ssl_name?: string;
}

export interface ListAttachedDomainsQuery {
  offset?: number;
  limit?: number;
  url_domain?: string;
}

export interface ListAttachedDomainsResponse {
  bound_domains: BoundDomain[];
  size?: number;
  total?: number;
}

/** A group's custom domain: here the name field is `domain`, not `url_domain`. */
export interface UrlDomain {
  id: string;
  domain: string;
  cname_status?: number;
  ssl_id?: string;
  ssl_name?: string;
  min_ssl_version?: string;
  verified_client_certificate_enabled?: boolean;
  is_has_trusted_root_ca?: boolean;
  ssl_infos?: SslInfo[];
}

export interface ApiGroup {
  id: string;
  name: string;
  url_domains?: UrlDomain[];
  [extra: string]: unknown;
}

export interface ListApiGroupsQuery {
  offset?: number;
  /** ≤ 500. */
  limit?: number;
  name?: string;
}

export interface ListApiGroupsResponse {
  size?: number;
  total?: number;
  groups: ApiGroup[];
}

export interface FoundDomain {
  groupId: string;
  domainId: string;
  domain: UrlDomain;
}

export type ScmSortDir = 'ASC' | 'DESC';
export type ScmSortKey = 'certExpiredTime' | 'certStatus' | 'certUpdateTime';

export interface ListScmCertificatesQuery {
  /** 10, 20 or 50 (page 002: 10..50), default 10. */
  limit?: number;
  offset?: number;
  sort_dir?: ScmSortDir;
  sort_key?: ScmSortKey;
  status?: string;
}

export interface ScmCertificateDetail {
  id: string;
  name?: string;
  domain?: string;
  sans?: string;
  signature_algorithm?: string;
  deploy_support?: boolean;
  type?: string;
  brand?: string;
  expire_time?: string;
  domain_type?: string;
  validity_period?: number;
  status?: string;
  domain_count?: number;
  wildcard_count?: number;
  description?: string;
  /** Account id (SDK). */
  domain_id?: string;
  /** `0` when enterprise projects are not in use (SDK). */
  enterprise_project_id?: string;
}

export interface ListScmCertificatesResponse {
  certificates: ScmCertificateDetail[];
  total_count: number;
}
