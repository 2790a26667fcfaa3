// The two authentication schemes, as AuthScheme implementations for the transport.
import { GatewayError } from './errors.ts';
import type { AuthScheme, OutgoingRequest, Transport } from './http.ts';
import {
  DEFAULT_TOKEN_LIFETIME_MS,
  type IssuedToken,
  passwordLoginBody,
  type TokenCache,
} from './iam-token.ts';
import type { AkSkCredentials, PasswordCredentials } from './options.ts';
import { signRequest } from './signer.ts';

/** AK/SK signing. A 401 cannot be cured by re-signing, so it is final. */
export class AkSkAuth implements AuthScheme {
  private readonly cred: AkSkCredentials;
  private readonly now: () => Date;
  /** X-Project-Id is sent (and signed) on project-scoped services, as the official SDKs do. */
  private readonly projectId: string | undefined;

  constructor(cred: AkSkCredentials, now: () => Date, projectId?: string) {
    this.cred = cred;
    this.now = now;
    this.projectId = projectId;
  }

  async authorize(req: OutgoingRequest): Promise<undefined> {
    if (this.projectId) req.headers['x-project-id'] = this.projectId;
    if (this.cred.securityToken) req.headers['x-security-token'] = this.cred.securityToken;
    const signed = signRequest(
      { method: req.method, path: req.path, query: req.query, headers: req.headers, body: req.body },
      this.cred,
      this.now(),
    );
    req.headers['x-sdk-date'] = signed['X-Sdk-Date'];
    req.headers.authorization = signed.Authorization;
    return undefined;
  }

  unauthorized(): boolean {
    return false;
  }
}

/** IAM token in X-Auth-Token; on a 401 the token is dropped so the retry logs in again. */
export class TokenAuth implements AuthScheme {
  private readonly cache: TokenCache;
  private readonly login: () => Promise<IssuedToken>;
  private readonly now: () => Date;

  constructor(cache: TokenCache, login: () => Promise<IssuedToken>, now: () => Date) {
    this.cache = cache;
    this.login = login;
    this.now = now;
  }

  async authorize(req: OutgoingRequest): Promise<string> {
    const token = await this.cache.get(this.login, this.now);
    req.headers['x-auth-token'] = token;
    return token;
  }

  unauthorized(used: string | undefined): boolean {
    if (used) this.cache.invalidate(used);
    return used !== undefined;
  }
}

/** The same scheme, sending X-Project-Id too (SCM wants X-Project-Id or X-Domain-Id with a token). */
export function withProjectHeader(auth: AuthScheme, projectId: string): AuthScheme {
  return {
    authorize(req: OutgoingRequest) {
      req.headers['x-project-id'] = projectId;
      return auth.authorize(req);
    },
    unauthorized: (used) => auth.unauthorized(used),
  };
}

/** POST {iam}/v3/auth/tokens with a password, scoped to the project; the token is in X-Subject-Token. */
export function passwordLogin(
  transport: Transport,
  iamBase: URL,
  cred: PasswordCredentials,
  projectId: string,
  now: () => Date,
  onToken: (token: string) => void,
): () => Promise<IssuedToken> {
  return async () => {
    const res = await transport.call({
      operation: 'CreateToken',
      method: 'POST',
      base: iamBase,
      segments: ['v3', 'auth', 'tokens'],
      body: passwordLoginBody(cred.username, cred.password, cred.domainName, projectId),
      idempotent: true, // a second login only makes a second token
    });
    const raw = res.headers['x-subject-token'];
    const token = Array.isArray(raw) ? raw[0] : raw;
    if (!token) {
      throw new GatewayError({
        operation: 'CreateToken',
        kind: 'auth',
        status: res.status,
        errorMsg: 'IAM answer carries no X-Subject-Token',
      });
    }
    onToken(token);
    const body = res.body as { token?: { expires_at?: unknown; issued_at?: unknown } } | undefined;
    const expires = parseDate(body?.token?.expires_at);
    const issued = parseDate(body?.token?.issued_at);
    const result: IssuedToken = {
      token,
      expiresAt: expires ?? new Date(now().getTime() + DEFAULT_TOKEN_LIFETIME_MS),
    };
    if (issued) result.issuedAt = issued;
    return result;
  };
}

function parseDate(v: unknown): Date | undefined {
  if (typeof v !== 'string') return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
