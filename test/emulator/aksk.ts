// Verifies `SDK-HMAC-SHA256` request signatures, written from the algorithm in huawei-cloud-apis.md
// (not from the operator's client, so each keeps the other honest).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const ALGORITHM = 'SDK-HMAC-SHA256';
export const MAX_SKEW_MS = 15 * 60_000;

export interface ParsedAuthorization {
  access: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAuthorization(value: string | undefined): ParsedAuthorization | undefined {
  if (!value?.startsWith(`${ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of value.slice(ALGORITHM.length + 1).split(',')) {
    const i = part.indexOf('=');
    if (i > 0) fields.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  const access = fields.get('Access');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!access || !signedHeaders || !signature) return undefined;
  return { access, signedHeaders: signedHeaders.split(';'), signature };
}

/** RFC 3986 unreserved characters stay, everything else is %XX (UTF-8). */
export function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function canonicalUri(path: string): string {
  const encoded = path
    .split('/')
    .map((seg) => rfc3986(decode(seg)))
    .join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

export function canonicalQuery(rawQuery: string): string {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    // `+` is a space in a query (axios and URLSearchParams send spaces that way; signers sign %20).
    const plus = (x: string) => decode(x.replace(/\+/g, ' '));
    const k = plus(i < 0 ? part : part.slice(0, i));
    const v = i < 0 ? '' : plus(part.slice(i + 1));
    pairs.push([rfc3986(k), rfc3986(v)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return (Array.isArray(v) ? v.join(',') : (v ?? '')).trim();
}

export interface SignedRequest {
  method: string;
  /** Path and query exactly as received (`/v2/x?y=1`). */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export function stringToSign(req: SignedRequest, signedHeaders: string[]): string {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  const names = signedHeaders.map((h) => h.toLowerCase()).sort();
  const bodyHash =
    headerValue(req.headers, 'x-sdk-content-sha256') || createHash('sha256').update(req.body).digest('hex');
  const canonical = [
    req.method.toUpperCase(),
    canonicalUri(path),
    canonicalQuery(query),
    names.map((n) => `${n}:${headerValue(req.headers, n)}\n`).join(''),
    names.join(';'),
    bodyHash,
  ].join('\n');
  const date = headerValue(req.headers, 'x-sdk-date');
  return [ALGORITHM, date, createHash('sha256').update(canonical).digest('hex')].join('\n');
}

/** `20260102T030405Z` -> epoch ms, or NaN. */
export function parseSdkDate(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, se] = m.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, se!);
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** Checks one signed request against the secret key that belongs to its access key. */
export function verifySignature(
  req: SignedRequest,
  auth: ParsedAuthorization,
  secretKey: string,
  now = Date.now(),
): VerifyResult {
  const lower = auth.signedHeaders.map((h) => h.toLowerCase());
  // Only x-sdk-date must be signed: the official Go SDK signs neither host nor content-type (it signs
  // user-agent, x-project-id or x-domain-id, x-sdk-date, x-security-token), so no rule may demand them.
  if (!lower.includes('x-sdk-date')) {
    return { ok: false, reason: 'SignedHeaders must include x-sdk-date' };
  }
  const date = parseSdkDate(headerValue(req.headers, 'x-sdk-date'));
  if (Number.isNaN(date)) return { ok: false, reason: 'X-Sdk-Date missing or malformed' };
  if (Math.abs(now - date) > MAX_SKEW_MS) return { ok: false, reason: 'X-Sdk-Date more than 15 minutes off' };
  const expected = createHmac('sha256', secretKey).update(stringToSign(req, auth.signedHeaders)).digest();
  const given = Buffer.from(auth.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'signature mismatch' };
  }
  return { ok: true };
}
