// Error codes the emulator answers with. Codes and statuses follow the reference pages and the error
// table in huawei-cloud-apis.md; messages are the pages' where a page shows one, otherwise our wording.
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
  body(): { error_code: string; error_msg: string } {
    return { error_code: this.code, error_msg: this.message };
  }
}

const e = (status: number, code: string, msg: string) => new ApiError(status, code, msg);

export const errors = {
  invalidParam: (name: string) =>
    e(
      400,
      'APIG.2012',
      `Invalid parameter value,parameterName:${name}. Please refer to the support documentation`,
    ),
  badBody: () => e(400, 'APIG.2011', 'Invalid request body'),
  notBound: () => e(400, 'APIG.2000', 'Parameter error: the certificate is not bound to the domain name'),
  certInUse: () => e(400, 'APIG.2000', 'Parameter error: the certificate is still bound to domain names'),
  keyMismatch: () => e(400, 'APIG.2101', 'The private key does not match the certificate'),
  expired: () => e(400, 'APIG.2102', 'The certificate has expired'),
  domainNotCovered: (domain: string) =>
    e(400, 'APIG.2103', `The certificate does not match the domain name ${domain}`),
  chainOrder: () => e(400, 'APIG.2104', 'The certificate chain is out of order'),
  badCert: (what: string) => e(400, 'APIG.2106', `Invalid certificate or private key: ${what}`),
  noSan: () => e(400, 'APIG.2109', 'The certificate has no subject alternative name'),
  boundElsewhere: (domain: string) =>
    e(400, 'APIG.2051', `The domain name ${domain} is already bound to another certificate`),
  tooLate: () => e(400, 'APIG.3148', 'The certificate must not be valid past 2038-01-19'),
  algorithmMismatch: () => e(409, 'APIG.3709', 'The signature algorithm does not match algorithm_type'),
  unauthorized: () => e(401, 'APIG.1002', 'Incorrect token or token resolution failed'),
  forbidden: () => e(403, 'APIG.1005', 'No permissions to request this method'),
  instanceNotFound: () => e(404, 'APIG.3030', 'The instance does not exist'),
  groupNotFound: () => e(404, 'APIG.3001', 'The API group does not exist'),
  domainNotFound: () => e(404, 'APIG.3020', 'The URL domain does not exist'),
  domainCertNotFound: () => e(404, 'APIG.3021', 'The SSL certificate does not exist'),
  certNotFound: () => e(404, 'APIG.3025', 'The certificate does not exist'),
  bindingNotFound: () => e(404, 'APIG.3097', 'The certificate is not bound to the domain name'),
  noSuchApi: () => e(404, 'APIG.0101', 'The API does not exist or has not been published in the environment'),
  system: () => e(500, 'APIG.9999', 'System error'),
  busy: () => e(500, 'APIG.9008', 'Too many requests'),
  throttled: (retryAfter: number) =>
    new ApiError(429, 'APIG.0308', 'The throttling threshold has been reached', {
      'retry-after': String(retryAfter),
    }),
  scmUnauthorized: () => e(401, 'SCM.0002', 'Authentication failed'),
};
