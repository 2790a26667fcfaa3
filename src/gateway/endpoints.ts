// Endpoint validation (HTTPS only unless told otherwise) and the derived IAM / SCM base URLs.

export function parseEndpoint(raw: string, what: string, allowInsecureHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`${what} is not a valid URL`);
  }
  if (url.protocol === 'http:' && !allowInsecureHttp) {
    throw new TypeError(
      `${what} uses plain http://; only https:// is allowed (allowInsecureHttp is for emulators)`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TypeError(`${what} must be an https:// URL`);
  if (url.username || url.password || url.search || url.hash) {
    throw new TypeError(`${what} must not carry credentials, a query or a fragment`);
  }
  return url;
}

/**
 * https://apig.cn-north-4.myhuaweicloud.com → https://iam.cn-north-4.myhuaweicloud.com. An IP or a
 * single-label host (an emulator) serves every service itself, so the endpoint is reused.
 */
export function siblingEndpoint(endpoint: URL, service: string): URL {
  const host = endpoint.hostname;
  const isIp = /^[\d.]+$/.test(host) || host.includes(':') || host.startsWith('[');
  const labels = host.split('.');
  if (isIp || labels.length < 3) return new URL(endpoint.href);
  const u = new URL(endpoint.href);
  u.hostname = [service, ...labels.slice(1)].join('.');
  return u;
}

/** Regions the official Go SDK lists for SCM (services/scm/v3/region), each `https://scm.{region}.myhuaweicloud.com`. */
export const SCM_REGIONS: readonly string[] = ['cn-north-4', 'ap-southeast-1', 'my-kualalumpur-1'];

/**
 * The SCM endpoint for a gateway endpoint. On Huawei Cloud (`*.myhuaweicloud.com|eu`) SCM exists only
 * in the SDK's regions, always under `myhuaweicloud.com`: undefined elsewhere (set scmEndpoint). An
 * emulator (IP or single-label host) serves SCM itself; other clouds' hosts get the sibling name.
 */
export function scmEndpointFor(endpoint: URL): URL | undefined {
  const labels = endpoint.hostname.split('.');
  const huawei = /\.myhuaweicloud\.(com|eu)$/.test(endpoint.hostname) && labels.length === 4;
  if (!huawei) return siblingEndpoint(endpoint, 'scm');
  const region = labels[1] ?? '';
  return SCM_REGIONS.includes(region) ? new URL(`https://scm.${region}.myhuaweicloud.com`) : undefined;
}
