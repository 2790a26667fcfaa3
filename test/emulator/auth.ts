// Who is calling: an IAM token (X-Auth-Token) or an AK/SK signature. Failures are 401 APIG.1002;
// the reason goes to the call log only, never to the caller (as the real service).
import { randomBytes } from 'node:crypto';
import { parseAuthorization, type SignedRequest, verifySignature } from './aksk.ts';
import type { Seed } from './seed.ts';

export type AuthScheme = 'token' | 'aksk' | 'none';

export interface Caller {
  scheme: AuthScheme;
  /** Throttling key: the AK, or the IAM user name. */
  account: string;
}

export interface IssuedToken {
  token: string;
  projectId: string;
  user: string;
  issuedAt: number;
  expiresAt: number;
}

export class AuthFailure extends Error {}

export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();
  ttlMs: number;
  constructor(ttlMs: number) {
    this.ttlMs = ttlMs;
  }
  issue(projectId: string, user: string, now = Date.now()): IssuedToken {
    // Real tokens are long opaque strings starting with "MII"; length matters to some clients' header limits.
    const token = `MII${randomBytes(96).toString('base64url')}`;
    const t = { token, projectId, user, issuedAt: now, expiresAt: now + this.ttlMs };
    this.tokens.set(token, t);
    return t;
  }
  find(token: string, now = Date.now()): IssuedToken | undefined {
    const t = this.tokens.get(token);
    return t && t.expiresAt > now ? t : undefined;
  }
  /** Lets tests make every issued token stale at once. */
  expireAll(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
  }
}

export function authenticate(req: SignedRequest, seed: Seed, tokens: TokenStore): Caller {
  const authorization = req.headers.authorization;
  if (authorization) {
    const parsed = parseAuthorization(authorization);
    if (!parsed) throw new AuthFailure('Authorization header is not SDK-HMAC-SHA256');
    const c = seed.credentials;
    let secret: string | undefined;
    if (parsed.access === c.accessKey) secret = c.secretKey;
    else if (parsed.access === c.temporary.accessKey) {
      const st = req.headers['x-security-token'];
      if (st !== c.temporary.securityToken) throw new AuthFailure('X-Security-Token missing or wrong');
      if (!parsed.signedHeaders.map((h) => h.toLowerCase()).includes('x-security-token')) {
        throw new AuthFailure('X-Security-Token not signed');
      }
      secret = c.temporary.secretKey;
    }
    if (!secret) throw new AuthFailure('unknown access key');
    const r = verifySignature(req, parsed, secret);
    if (!r.ok) throw new AuthFailure(r.reason);
    return { scheme: 'aksk', account: parsed.access };
  }
  const token = req.headers['x-auth-token'];
  if (typeof token === 'string' && token) {
    const t = tokens.find(token);
    if (!t) throw new AuthFailure('unknown or expired token');
    return { scheme: 'token', account: t.user };
  }
  throw new AuthFailure('no credentials');
}
