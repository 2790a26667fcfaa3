// IAM token cache: one project-scoped token per account, shared by every client of that account,
// renewed before it expires, and fetched single-flight (concurrent callers share one login).

export interface IssuedToken {
  token: string;
  expiresAt: Date;
  /** When IAM says the token was issued; defaults to the time the login was made. */
  issuedAt?: Date;
}

export type LoginFn = () => Promise<IssuedToken>;

const HOUR = 3_600_000;
/** IAM tokens live 24 h; without an expires_at we assume that. */
export const DEFAULT_TOKEN_LIFETIME_MS = 24 * HOUR;

interface CachedToken {
  token: string;
  renewAt: number;
}

export class TokenCache {
  private current: CachedToken | undefined;
  private inflight: Promise<string> | undefined;

  /** A token valid for a good while yet; logs in (once, whoever asks) when none is. */
  async get(login: LoginFn, now: () => Date): Promise<string> {
    const cur = this.current;
    if (cur && now().getTime() < cur.renewAt) return cur.token;
    return this.refresh(login, now);
  }

  /** Drop `token` (the server refused it) unless a newer one already replaced it. */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  private refresh(login: LoginFn, now: () => Date): Promise<string> {
    if (!this.inflight) {
      const startedAt = now().getTime();
      this.inflight = login()
        .then((issued) => {
          this.current = { token: issued.token, renewAt: renewAt(issued, startedAt) };
          return issued.token;
        })
        .finally(() => {
          this.inflight = undefined;
        });
    }
    return this.inflight;
  }
}

/** Renew when less than 1 h or 10 % of the lifetime remains, whichever comes later is too late: min of both. */
export function renewAt(issued: IssuedToken, loginStartedAt: number): number {
  const expires = issued.expiresAt.getTime();
  const issuedAt = issued.issuedAt?.getTime() ?? loginStartedAt;
  const lifetime = Math.max(0, expires - issuedAt);
  return expires - Math.min(HOUR, lifetime * 0.1);
}

const caches = new Map<string, TokenCache>();

/** The token cache of one account (IAM endpoint, domain, user, project). */
export function tokenCacheFor(accountKey: string): TokenCache {
  let c = caches.get(accountKey);
  if (!c) {
    c = new TokenCache();
    caches.set(accountKey, c);
  }
  return c;
}

/** The password-login body of POST /v3/auth/tokens, scoped to the project. */
export function passwordLoginBody(username: string, password: string, domainName: string, projectId: string) {
  return {
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: username, password, domain: { name: domainName } } },
      },
      scope: { project: { id: projectId } },
    },
  };
}
