// Token bucket per account: the gateway throttles per account, so every client using the same AK or
// username shares one bucket. Waiters are served in arrival order (tokens may go negative = queued).

export interface TokenBucketOptions {
  ratePerSecond: number;
  burst: number;
  /** Monotonic milliseconds; injectable for tests. */
  clock?: () => number;
}

export class TokenBucket {
  readonly ratePerSecond: number;
  readonly burst: number;
  private tokens: number;
  private last: number;
  private readonly clock: () => number;

  constructor(opts: TokenBucketOptions) {
    if (!(opts.ratePerSecond > 0) || !(opts.burst >= 1))
      throw new RangeError('rateLimit needs ratePerSecond > 0 and burst >= 1');
    this.ratePerSecond = opts.ratePerSecond;
    this.burst = opts.burst;
    this.clock = opts.clock ?? (() => performance.now());
    this.tokens = opts.burst;
    this.last = this.clock();
  }

  /** Milliseconds the caller must wait before sending; the token is reserved immediately. */
  reserve(): number {
    const now = this.clock();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.ratePerSecond) * 1000;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await sleep(wait, signal);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const shared = new Map<string, TokenBucket>();

/** The bucket of one account (AK or IAM username), shared by every client with the same settings. */
export function bucketFor(accountKey: string, ratePerSecond: number, burst: number): TokenBucket {
  const key = `${accountKey}\u0000${ratePerSecond}\u0000${burst}`;
  let bucket = shared.get(key);
  if (!bucket) {
    bucket = new TokenBucket({ ratePerSecond, burst });
    shared.set(key, bucket);
  }
  return bucket;
}
