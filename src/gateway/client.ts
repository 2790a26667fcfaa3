// The gateway calls. Paths, bodies and answers follow the reference pages; everything about sending
// (auth, retries, limits, timeouts) lives in the transport.
import { AkSkAuth, passwordLogin, TokenAuth, withProjectHeader } from './auth.ts';
import { parseEndpoint, scmEndpointFor, siblingEndpoint } from './endpoints.ts';
import { GatewayError, registerSecret } from './errors.ts';
import { type AuthScheme, type CallSpec, Transport } from './http.ts';
import { tokenCacheFor } from './iam-token.ts';
import type { GatewayClientOptions, OperationName } from './options.ts';
import { bucketFor, type TokenBucket } from './rate-limiter.ts';
import type {
  ApiGroup,
  AttachOrDetachDomainInfo,
  BoundDomain,
  CertBase,
  CertificateDetail,
  CertificateInput,
  DomainCertificateInput,
  DomainCertificateUploadResponse,
  FoundDomain,
  ListApiGroupsQuery,
  ListApiGroupsResponse,
  ListAttachedDomainsQuery,
  ListAttachedDomainsResponse,
  ListCertificatesQuery,
  ListCertificatesResponse,
  ListScmCertificatesQuery,
  ListScmCertificatesResponse,
  ScmCertificateDetail,
} from './types.ts';

export interface GatewayClient {
  readonly family: GatewayClientOptions['family'];
  /**
   * Page 004. On API Gateway only name, cert_content and private_key are sent (its CertForm); a
   * trusted_root_ca there is refused before sending (client verification needs the certificates API).
   */
  uploadDomainCertificate(
    instanceId: string,
    groupId: string,
    domainId: string,
    input: DomainCertificateInput,
  ): Promise<DomainCertificateUploadResponse>;
  getDomainCertificate(
    instanceId: string,
    groupId: string,
    domainId: string,
    certificateId: string,
  ): Promise<CertificateDetail>;
  unbindDomainCertificate(
    instanceId: string,
    groupId: string,
    domainId: string,
    certificateId: string,
  ): Promise<void>;
  listCertificates(query: ListCertificatesQuery): Promise<ListCertificatesResponse>;
  listAllCertificates(filter: ListCertificatesQuery): Promise<CertBase[]>;
  createCertificate(input: CertificateInput): Promise<CertificateDetail>;
  getCertificate(certificateId: string): Promise<CertificateDetail>;
  updateCertificate(certificateId: string, input: CertificateInput): Promise<CertificateDetail>;
  deleteCertificate(certificateId: string): Promise<void>;
  attachDomains(certificateId: string, domains: AttachOrDetachDomainInfo[]): Promise<void>;
  /** Detaching what is not bound (400 APIG.2000) counts as done. */
  detachDomains(certificateId: string, domains: AttachOrDetachDomainInfo[]): Promise<void>;
  listAttachedDomains(
    certificateId: string,
    query?: ListAttachedDomainsQuery,
  ): Promise<ListAttachedDomainsResponse>;
  listAllAttachedDomains(certificateId: string, filter?: ListAttachedDomainsQuery): Promise<BoundDomain[]>;
  listApiGroups(instanceId: string, query?: ListApiGroupsQuery): Promise<ListApiGroupsResponse>;
  getApiGroup(instanceId: string, groupId: string): Promise<ApiGroup>;
  /** Every custom domain bound to an API group on a gateway, with its group and domain ids. */
  listDomains(instanceId: string, filter?: ListApiGroupsQuery): Promise<FoundDomain[]>;
  /** The group and domain ids of a custom domain name on a gateway, or undefined. */
  findDomainByName(instanceId: string, name: string): Promise<FoundDomain | undefined>;
  listScmCertificates(query?: ListScmCertificatesQuery): Promise<ListScmCertificatesResponse>;
  /** Every SCM certificate of the account, page by page (limit 10..50, default 50). */
  listAllScmCertificates(filter?: ListScmCertificatesQuery): Promise<ScmCertificateDetail[]>;
  close(): Promise<void>;
}

const DEFAULT_RATE = { ratePerSecond: 10, burst: 20 };
const PAGE = 200;

export function createGatewayClient(opts: GatewayClientOptions): GatewayClient {
  return new HuaweiGatewayClient(opts);
}

class HuaweiGatewayClient implements GatewayClient {
  readonly family: GatewayClientOptions['family'];
  private readonly transport: Transport;
  private readonly endpoint: URL;
  /** undefined where the SDK knows no SCM endpoint for the region (SCM is in few regions). */
  private readonly scm: URL | undefined;
  private readonly projectId: string;
  private readonly auth: AuthScheme;
  private readonly scmAuth: AuthScheme;
  private readonly limiter: TokenBucket;

  constructor(opts: GatewayClientOptions) {
    if (opts.family !== 'apigw' && opts.family !== 'apic')
      throw new TypeError("family must be 'apigw' or 'apic'");
    if (!opts.projectId) throw new TypeError('projectId is required');
    const insecure = opts.allowInsecureHttp === true;
    this.family = opts.family;
    this.projectId = opts.projectId;
    this.endpoint = parseEndpoint(opts.endpoint, 'endpoint', insecure);
    this.scm = opts.scmEndpoint
      ? parseEndpoint(opts.scmEndpoint, 'scmEndpoint', insecure)
      : scmEndpointFor(this.endpoint);
    // Refused before anything is sent: a resource must not point credentials at a host of its choosing.
    const policy = opts.endpointPolicy;
    policy?.check(this.endpoint, 'endpoint');
    if (this.scm)
      policy?.check(this.scm, opts.scmEndpoint ? 'scmEndpoint' : 'scmEndpoint (derived from endpoint)');
    const now = opts.now ?? (() => new Date());
    if (opts.proxyUrl) registerSecret(proxyPassword(opts.proxyUrl));
    this.transport = new Transport({
      timeouts: opts.timeouts,
      retry: opts.retry,
      caBundle: opts.caBundle,
      proxyUrl: opts.proxyUrl,
      logger: opts.logger,
      onCall: opts.onCall,
      ...(policy ? { lookup: policy.lookup } : {}),
    });
    const rate = { ...DEFAULT_RATE, ...opts.rateLimit };
    const cred = opts.credentials;
    if (cred.kind === 'aksk') {
      if (!cred.accessKey || !cred.secretKey) throw new TypeError('credentials need accessKey and secretKey');
      registerSecret(cred.secretKey);
      registerSecret(cred.securityToken);
      this.auth = new AkSkAuth(cred, now, this.projectId);
      // SCM takes X-Domain-Id or X-Project-Id (the SDK's SCM client accepts either credential kind).
      this.scmAuth = new AkSkAuth(cred, now, this.projectId);
      this.limiter = bucketFor(`aksk:${cred.accessKey}`, rate.ratePerSecond, rate.burst);
    } else if (cred.kind === 'password') {
      if (!cred.username || !cred.password || !cred.domainName) {
        throw new TypeError('credentials need username, password and domainName');
      }
      registerSecret(cred.password);
      const iam = opts.iamEndpoint
        ? parseEndpoint(opts.iamEndpoint, 'iamEndpoint', insecure)
        : siblingEndpoint(this.endpoint, 'iam');
      policy?.check(iam, opts.iamEndpoint ? 'iamEndpoint' : 'iamEndpoint (derived from endpoint)', true);
      const cache = tokenCacheFor(
        `${iam.origin}\u0000${cred.domainName}\u0000${cred.username}\u0000${this.projectId}`,
      );
      const login = passwordLogin(this.transport, iam, cred, this.projectId, now, registerSecret);
      this.auth = new TokenAuth(cache, login, now);
      this.scmAuth = withProjectHeader(this.auth, this.projectId);
      this.limiter = bucketFor(`iam:${cred.domainName}/${cred.username}`, rate.ratePerSecond, rate.burst);
    } else {
      throw new TypeError("credentials.kind must be 'aksk' or 'password'");
    }
  }

  private async send<T>(
    operation: OperationName,
    method: CallSpec['method'],
    segments: string[],
    extra: Partial<Pick<CallSpec, 'query' | 'body' | 'acceptError' | 'idempotent'>> = {},
    expectBody = true,
  ): Promise<T> {
    const res = await this.transport.call({
      operation,
      method,
      base: this.endpoint,
      segments: ['v2', this.projectId, this.family, ...segments],
      auth: this.auth,
      limiter: this.limiter,
      idempotent: method !== 'POST',
      ...extra,
    });
    if (expectBody && (typeof res.body !== 'object' || res.body === null)) {
      throw new GatewayError({
        operation,
        kind: 'terminal',
        status: res.status,
        errorCode: 'INVALID_RESPONSE',
        errorMsg: 'answer has no JSON body',
      });
    }
    return res.body as T;
  }

  uploadDomainCertificate(i: string, g: string, d: string, input: DomainCertificateInput) {
    let body: DomainCertificateInput = input;
    if (this.family === 'apigw') {
      if (input.trusted_root_ca) {
        throw new GatewayError({
          operation: 'UploadDomainCertificate',
          kind: 'terminal',
          errorCode: 'UNSUPPORTED',
          errorMsg: "API Gateway's domain upload takes no trusted_root_ca",
        });
      }
      body = { name: input.name, cert_content: input.cert_content, private_key: input.private_key };
    }
    return this.send<DomainCertificateUploadResponse>(
      'UploadDomainCertificate',
      'POST',
      ['instances', i, 'api-groups', g, 'domains', d, 'certificate'],
      { body },
    );
  }

  getDomainCertificate(i: string, g: string, d: string, c: string) {
    return this.send<CertificateDetail>('ShowDomainCertificate', 'GET', [
      'instances',
      i,
      'api-groups',
      g,
      'domains',
      d,
      'certificate',
      c,
    ]);
  }

  async unbindDomainCertificate(i: string, g: string, d: string, c: string) {
    await this.send(
      'DeleteDomainCertificate',
      'DELETE',
      ['instances', i, 'api-groups', g, 'domains', d, 'certificate', c],
      {},
      false,
    );
  }

  listCertificates(query: ListCertificatesQuery) {
    return this.send<ListCertificatesResponse>('ListCertificates', 'GET', ['certificates'], {
      query: { ...query },
    });
  }

  async listAllCertificates(filter: ListCertificatesQuery) {
    return paginate(
      filter,
      (q) => this.listCertificates(q),
      (page) => page.certs ?? [],
    );
  }

  createCertificate(input: CertificateInput) {
    return this.send<CertificateDetail>('CreateCertificate', 'POST', ['certificates'], { body: input });
  }

  getCertificate(c: string) {
    return this.send<CertificateDetail>('ShowCertificate', 'GET', ['certificates', c]);
  }

  updateCertificate(c: string, input: CertificateInput) {
    return this.send<CertificateDetail>('UpdateCertificate', 'PUT', ['certificates', c], { body: input });
  }

  async deleteCertificate(c: string) {
    await this.send('DeleteCertificate', 'DELETE', ['certificates', c], {}, false);
  }

  async attachDomains(c: string, domains: AttachOrDetachDomainInfo[]) {
    // Binding the same domains again changes nothing, so a retry after an unknown outcome is safe.
    await this.send(
      'AttachDomains',
      'POST',
      ['certificates', c, 'domains', 'attach'],
      { body: { domains }, idempotent: true },
      false,
    );
  }

  async detachDomains(c: string, domains: AttachOrDetachDomainInfo[]) {
    await this.send(
      'DetachDomains',
      'POST',
      ['certificates', c, 'domains', 'detach'],
      {
        body: { domains },
        idempotent: true,
        acceptError: (status, code) => status === 400 && code === 'APIG.2000',
      },
      false,
    );
  }

  listAttachedDomains(c: string, query: ListAttachedDomainsQuery = {}) {
    return this.send<ListAttachedDomainsResponse>(
      'ListAttachedDomains',
      'GET',
      ['certificates', c, 'attached-domains'],
      {
        query: { ...query },
      },
    );
  }

  async listAllAttachedDomains(c: string, filter: ListAttachedDomainsQuery = {}) {
    return paginate(
      filter,
      (q) => this.listAttachedDomains(c, q),
      (page) => page.bound_domains ?? [],
    );
  }

  listApiGroups(i: string, query: ListApiGroupsQuery = {}) {
    return this.send<ListApiGroupsResponse>('ListApiGroups', 'GET', ['instances', i, 'api-groups'], {
      query: { ...query },
    });
  }

  getApiGroup(i: string, g: string) {
    return this.send<ApiGroup>('ShowApiGroup', 'GET', ['instances', i, 'api-groups', g]);
  }

  async listDomains(i: string, filter: ListApiGroupsQuery = {}): Promise<FoundDomain[]> {
    const groups = await paginate(
      filter,
      (q) => this.listApiGroups(i, q),
      (page) => {
        // Every API Gateway answer has the list, empty or not; without it this is not a gateway.
        if (!Array.isArray(page?.groups))
          throw new GatewayError({
            operation: 'ListApiGroups',
            kind: 'terminal',
            errorCode: 'NOT_A_GATEWAY',
            errorMsg: 'the answer has no "groups" list',
          });
        return page.groups;
      },
    );
    const out: FoundDomain[] = [];
    for (const listed of groups) {
      // A list entry without url_domains is fetched in full rather than assumed empty.
      const group = listed.url_domains ? listed : await this.getApiGroup(i, listed.id);
      for (const domain of group.url_domains ?? []) {
        out.push({ groupId: group.id ?? listed.id, domainId: domain.id, domain });
      }
    }
    return out;
  }

  async findDomainByName(i: string, name: string): Promise<FoundDomain | undefined> {
    const wanted = normaliseDomainName(name);
    return (await this.listDomains(i)).find((d) => normaliseDomainName(d.domain.domain ?? '') === wanted);
  }

  async listScmCertificates(query: ListScmCertificatesQuery = {}) {
    validateScmQuery(query);
    if (!this.scm) {
      throw new GatewayError({
        operation: 'ListScmCertificates',
        kind: 'terminal',
        errorCode: 'NO_SCM_ENDPOINT',
        errorMsg: `SCM is not offered in the region of ${this.endpoint.hostname}; set scmEndpoint`,
      });
    }
    const res = await this.transport.call({
      operation: 'ListScmCertificates',
      method: 'GET',
      base: this.scm,
      segments: ['v3', 'scm', 'certificates'],
      query: { ...query },
      auth: this.scmAuth,
      limiter: this.limiter,
      idempotent: true,
    });
    if (typeof res.body !== 'object' || res.body === null) {
      throw new GatewayError({
        operation: 'ListScmCertificates',
        kind: 'terminal',
        status: res.status,
        errorCode: 'INVALID_RESPONSE',
        errorMsg: 'answer has no JSON body',
      });
    }
    return res.body as ListScmCertificatesResponse;
  }

  async listAllScmCertificates(filter: ListScmCertificatesQuery = {}) {
    return paginate(
      { limit: 50, ...filter },
      async (q) => {
        const page = await this.listScmCertificates(q);
        return { total: page.total_count, items: page.certificates ?? [] };
      },
      (page) => page.items,
    );
  }

  close() {
    return this.transport.close();
  }
}

function proxyPassword(proxyUrl: string): string | undefined {
  try {
    const p = new URL(proxyUrl).password;
    return p ? decodeURIComponent(p) : undefined;
  } catch {
    throw new TypeError('proxyUrl is not a valid URL');
  }
}

/** Domain names compare case-insensitively, without a trailing dot. */
export function normaliseDomainName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** Walks offset/limit pages until `total` is reached, or a short/empty page when no total is given. */
async function paginate<Q extends { offset?: number; limit?: number }, P extends { total?: number }, T>(
  filter: Q,
  fetch: (q: Q) => Promise<P>,
  items: (page: P) => T[],
): Promise<T[]> {
  const limit = filter.limit ?? PAGE;
  let offset = filter.offset ?? 0;
  const out: T[] = [];
  for (;;) {
    const page = await fetch({ ...filter, offset, limit });
    const got = items(page);
    out.push(...got);
    offset += got.length;
    if (got.length === 0) break;
    if (typeof page.total === 'number' ? offset >= page.total : got.length < limit) break;
  }
  return out;
}

const SORT_DIRS = new Set(['ASC', 'DESC']);
const SORT_KEYS = new Set(['certExpiredTime', 'certStatus', 'certUpdateTime']);

function validateScmQuery(q: ListScmCertificatesQuery): void {
  const bad = (msg: string) =>
    new GatewayError({
      operation: 'ListScmCertificates',
      kind: 'terminal',
      errorCode: 'INVALID_ARGUMENT',
      errorMsg: msg,
    });
  if (q.limit !== undefined && (!Number.isInteger(q.limit) || q.limit < 10 || q.limit > 50))
    throw bad('limit must be an integer from 10 to 50');
  if (q.offset !== undefined && (!Number.isInteger(q.offset) || q.offset < 0))
    throw bad('offset must be an integer >= 0');
  if (q.sort_dir !== undefined && !SORT_DIRS.has(q.sort_dir)) throw bad('sort_dir must be ASC or DESC');
  if (q.sort_key !== undefined && !SORT_KEYS.has(q.sort_key))
    throw bad('sort_key must be certExpiredTime, certStatus or certUpdateTime');
  if (q.status !== undefined && (q.status.length > 64 || !/^[A-Z_]*$/.test(q.status)))
    throw bad('status is not a status name');
}
