// Test helpers: a tiny independent SDK-HMAC-SHA256 signer, a token fetcher and a JSON caller.
import { createHash, createHmac } from 'node:crypto';
import type { Emulator } from './server.ts';

export type AuthMode = 'token' | 'aksk' | 'temporary' | 'none';

export interface CallOptions {
  body?: unknown;
  /** Raw body text, sent as is (wins over `body`). */
  rawBody?: string;
  query?: Record<string, string | number>;
  headers?: Record<string, string>;
  auth?: AuthMode;
  /** Override the signing date (AK/SK). */
  date?: Date;
  /** Override the secret used to sign (to provoke mismatches). */
  secretKey?: string;
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

const enc = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export const sdkDate = (d: Date) =>
  `${d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')}`;

/** Signs per huawei-cloud-apis.md; returns the headers to add. Written apart from the emulator's verifier. */
export function signRequest(input: {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
  ak: string;
  sk: string;
  date?: Date;
  /** Leave host out of SignedHeaders, as the official Go SDK does. */
  unsignedHost?: boolean;
}): Record<string, string> {
  const headers: Record<string, string> = {
    ...input.headers,
    ...(input.unsignedHost ? {} : { host: input.url.host }),
  };
  headers['x-sdk-date'] = sdkDate(input.date ?? new Date());
  const names = Object.keys(headers)
    .map((h) => h.toLowerCase())
    .sort();
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v.trim();
  let uri = input.url.pathname
    .split('/')
    .map((s) => enc(decodeURIComponent(s)))
    .join('/');
  if (!uri.endsWith('/')) uri += '/';
  const query = [...input.url.searchParams.entries()]
    .map(([k, v]) => [enc(k), enc(v)] as const)
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonical = [
    input.method,
    uri,
    query,
    names.map((n) => `${n}:${lower[n]}\n`).join(''),
    names.join(';'),
    lower['x-sdk-content-sha256'] ?? createHash('sha256').update(input.body).digest('hex'),
  ].join('\n');
  const sts = [
    'SDK-HMAC-SHA256',
    headers['x-sdk-date'],
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  const sig = createHmac('sha256', input.sk).update(sts).digest('hex');
  const { host: _host, ...rest } = headers;
  return {
    ...rest,
    authorization: `SDK-HMAC-SHA256 Access=${input.ak}, SignedHeaders=${names.join(';')}, Signature=${sig}`,
  };
}

const tokenCache = new WeakMap<Emulator, string>();

export async function getToken(emu: Emulator, fresh = false): Promise<string> {
  const cached = tokenCache.get(emu);
  if (cached && !fresh) return cached;
  const { iam } = emu.seed.credentials;
  const r = await fetch(`${emu.url}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(tokenRequest(iam.username, iam.password, iam.domainName, emu.seed.projectId)),
  });
  const t = r.headers.get('x-subject-token');
  if (r.status !== 201 || !t) throw new Error(`token request answered ${r.status}`);
  tokenCache.set(emu, t);
  return t;
}

export function tokenRequest(name: string, password: string, domain: string, projectId: string) {
  return {
    auth: {
      identity: { methods: ['password'], password: { user: { name, password, domain: { name: domain } } } },
      scope: { project: { id: projectId } },
    },
  };
}

export async function call<T = Record<string, unknown>>(
  emu: Emulator,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<Answer<T>> {
  const url = new URL(path, emu.url);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, String(v));
  const body = opts.rawBody ?? (opts.body === undefined ? '' : JSON.stringify(opts.body));
  let headers: Record<string, string> = {
    ...(body ? { 'content-type': 'application/json' } : {}),
    ...opts.headers,
  };
  const auth = opts.auth ?? 'token';
  const c = emu.seed.credentials;
  if (auth === 'token') headers['x-auth-token'] = await getToken(emu);
  if (auth === 'aksk' || auth === 'temporary') {
    const temp = auth === 'temporary';
    if (temp) headers['x-security-token'] = c.temporary.securityToken;
    headers = signRequest({
      method,
      url,
      headers,
      body,
      ak: temp ? c.temporary.accessKey : c.accessKey,
      sk: opts.secretKey ?? (temp ? c.temporary.secretKey : c.secretKey),
      ...(opts.date ? { date: opts.date } : {}),
    });
  }
  const r = await fetch(url, { method, headers, ...(body ? { body } : {}) });
  const text = await r.text();
  // A non-JSON answer (a load balancer's HTML 504) comes back as { text }.
  let parsed: unknown = {};
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { text };
  }
  return { status: r.status, headers: r.headers, body: parsed as T };
}

/** Paths into the seed: `/v2/{project}/{family}` and a domain's path. */
export function paths(emu: Emulator, family: 'apigw' | 'apic' = 'apigw') {
  const base = `/v2/${emu.seed.projectId}/${family}`;
  const gw = (i = 0) => emu.seed.gateways[i]!;
  const group = (i = 0, j = 0) => gw(i).groups[j]!;
  const domain = (i = 0, j = 0, k = 0) => group(i, j).domains[k]!;
  return {
    base,
    gw,
    group,
    domain,
    certificates: `${base}/certificates`,
    /** ListCertificates needs a gateway (instance_id is mandatory): the first one's. */
    certList: `${base}/certificates?instance_id=${gw(0).id}`,
    domainPath: (i = 0, j = 0, k = 0) =>
      `${base}/instances/${gw(i).id}/api-groups/${group(i, j).id}/domains/${domain(i, j, k).id}`,
  };
}
