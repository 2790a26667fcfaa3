// One breaker per endpoint origin, shared by every client (account) that calls it: after repeated
// timeouts or unreachable-host errors in a row the endpoint is not called for a cool-down (doubling
// while it stays dead), so a black-hole endpoint costs a fast failure instead of a worker held for
// seconds per call. After the cool-down one call probes it; success closes the breaker.

export interface BreakerOptions {
  /** Consecutive timeouts that open the breaker. Default 3. */
  threshold?: number;
  /** First cool-down. Default 30 s; doubles on each failed probe up to maxOpenMs. */
  openMs?: number;
  maxOpenMs?: number;
  now?: () => number;
}

export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private openMs: number;
  private probing = false;
  private readonly o: Required<BreakerOptions>;

  constructor(opts: BreakerOptions = {}) {
    this.o = { threshold: 3, openMs: 30_000, maxOpenMs: 300_000, now: Date.now, ...opts };
    this.openMs = this.o.openMs;
  }

  /** undefined: go ahead (possibly as the one probe); else the time (ms epoch) calls resume. */
  admit(): number | undefined {
    if (this.failures < this.o.threshold) return undefined;
    if (this.o.now() < this.openUntil || this.probing) return Math.max(this.openUntil, this.o.now());
    this.probing = true;
    return undefined;
  }

  /** An answer arrived (any HTTP status): the endpoint is alive. */
  succeeded(): void {
    this.failures = 0;
    this.probing = false;
    this.openMs = this.o.openMs;
  }

  /** A timeout or an unreachable endpoint. */
  failed(): void {
    this.failures++;
    if (this.probing) this.openMs = Math.min(this.openMs * 2, this.o.maxOpenMs);
    this.probing = false;
    if (this.failures >= this.o.threshold) this.openUntil = this.o.now() + this.openMs;
  }

  /** The attempt ended without telling anything about the endpoint (e.g. the client closed). */
  released(): void {
    this.probing = false;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}

const breakers = new Map<string, CircuitBreaker>();

/** The breaker of an origin (scheme://host:port), created on first use. */
export function breakerFor(origin: string, opts?: BreakerOptions): CircuitBreaker {
  let b = breakers.get(origin);
  if (!b) {
    b = new CircuitBreaker(opts);
    breakers.set(origin, b);
  }
  return b;
}
