// SDK-HMAC-SHA256 request signing (Huawei Cloud AK/SK). Byte-compatible with the AKSKSigner of
// @huaweicloud/huaweicloud-sdk-core for the requests this client sends (see test/gateway/signer.test.ts).
import { createHash, createHmac } from 'node:crypto';

export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface SigningKey {
  accessKey: string;
  secretKey: string;
}

export interface RequestToSign {
  method: string;
  /** The path exactly as sent on the wire (already percent-encoded), without query. */
  path: string;
  /** Query pairs as sent (unencoded); repeated keys allowed, order irrelevant. */
  query: ReadonlyArray<readonly [string, string]>;
  /** Every header to sign, including host; names in any case. Must not already hold x-sdk-date. */
  headers: Readonly<Record<string, string>>;
  /** The exact bytes that will be sent; undefined or empty for no body. */
  body?: string | Uint8Array;
}

export interface SignedHeaders {
  'X-Sdk-Date': string;
  Authorization: string;
}

// RFC 3986 unreserved characters stay; everything else, UTF-8 encoded, becomes %XX (upper-case hex).
const UNRESERVED = /[A-Za-z0-9\-._~]/;

export function urlEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** YYYYMMDDTHHMMSSZ in UTC. */
export function formatSdkDate(d: Date): string {
  return `${d.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
}

/** Each segment of the path as sent is encoded again, and the whole ends with `/` (signing only). */
export function canonicalUri(path: string): string {
  const uri = path.split('/').map(urlEncode).join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/** Keys sorted; a repeated key's values sorted; both encoded. Sorting is on the raw strings, like the SDK. */
export function canonicalQuery(query: ReadonlyArray<readonly [string, string]>): string {
  const byKey = new Map<string, string[]>();
  for (const [k, v] of query) {
    const values = byKey.get(k);
    if (values) values.push(v);
    else byKey.set(k, [v]);
  }
  const parts: string[] = [];
  for (const key of [...byKey.keys()].sort()) {
    for (const value of byKey.get(key)!.sort()) parts.push(`${urlEncode(key)}=${urlEncode(value)}`);
  }
  return parts.join('&');
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Returns the two headers to add to the request: X-Sdk-Date and Authorization. */
export function signRequest(req: RequestToSign, key: SigningKey, now: Date): SignedHeaders {
  const date = formatSdkDate(now);
  const all = new Map<string, string>();
  for (const [name, value] of Object.entries(req.headers)) all.set(name.toLowerCase(), value.trim());
  if (all.has('x-sdk-date')) throw new Error('x-sdk-date is set by the signer');
  all.set('x-sdk-date', date);
  const names = [...all.keys()].sort();
  const canonicalHeaders = names.map((n) => `${n}:${all.get(n)}\n`).join('');
  const signedHeaders = names.join(';');
  const bodyHash =
    all.get('x-sdk-content-sha256') ??
    (req.body === undefined || req.body.length === 0 ? EMPTY_BODY_SHA256 : sha256Hex(req.body));
  const canonicalRequest = [
    req.method.toUpperCase(),
    canonicalUri(req.path),
    canonicalQuery(req.query),
    canonicalHeaders,
    signedHeaders,
    bodyHash,
  ].join('\n');
  const stringToSign = [SIGNING_ALGORITHM, date, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', key.secretKey).update(stringToSign).digest('hex');
  return {
    'X-Sdk-Date': date,
    Authorization: `${SIGNING_ALGORITHM} Access=${key.accessKey}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}
