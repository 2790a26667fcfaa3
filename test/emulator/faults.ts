// Failures on demand. Random faults draw from a seeded PRNG (same seed, same sequence), and
// `failNext` scripts the next answers exactly, so tests never depend on luck.
import { ApiError, errors } from './errors.ts';

export type FaultKind = 'error' | 'busy' | 'throttle' | 'hang' | 'drop' | LostReply;

/**
 * How a write whose effect was stored loses its answer: a load balancer's 504, a connection reset,
 * or a reply held back (`timeout`, lostReplyDelayMs) and then dropped, as a client timeout sees it.
 */
export type LostReply = 'lost-504' | 'lost-reset' | 'lost-timeout';
const LOST_KINDS: LostReply[] = ['lost-504', 'lost-reset', 'lost-timeout'];

/** One scripted answer: an error body, or a hang / dropped connection. */
export type ScriptedFault = { status: number; code: string; message?: string } | { kind: 'hang' | 'drop' };

export interface Faults {
  /** Added before every matched cloud call, in ms. */
  latencyMs: number;
  /** Rates 0..1, drawn once per call in this order: drop, hang, 500 APIG.9999, 500 APIG.9008, 429 APIG.0308. */
  dropRate: number;
  hangRate: number;
  errorRate: number;
  tooManyRate: number;
  throttleRate: number;
  /** Calls per second per account (AK or IAM user); above it 429 APIG.0308. 0 = unlimited. */
  throttlePerSecond: number;
  /** Retry-After (seconds) on 429 answers. */
  retryAfterSeconds: number;
  /** PRNG seed; setting it restarts the sequence. */
  seed: number;
  /** Answered in order before anything else, one per matching call. */
  failNext: ScriptedFault[];
  /** Operations faults apply to. Default: every cloud operation except CreateToken. */
  operations: string[] | null;
  /** Share (0..1) of write calls that are performed and then lose their answer. */
  lostReplyRate: number;
  /** Which ways a reply is lost, drawn in turn by the PRNG. */
  lostReplyKinds: LostReply[];
  /** How long a `lost-timeout` reply is held before the connection is dropped. */
  lostReplyDelayMs: number;
}

export const DEFAULT_FAULTS: Faults = {
  latencyMs: 0,
  dropRate: 0,
  hangRate: 0,
  errorRate: 0,
  tooManyRate: 0,
  throttleRate: 0,
  throttlePerSecond: 0,
  retryAfterSeconds: 1,
  seed: 1,
  failNext: [],
  operations: null,
  lostReplyRate: 0,
  lostReplyKinds: [...LOST_KINDS],
  lostReplyDelayMs: 1000,
};

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Decision =
  | { kind: 'none' }
  | { kind: 'hang' | 'drop' }
  | { kind: 'error'; error: ApiError; fault: FaultKind };

const RATE_KEYS = [
  'dropRate',
  'hangRate',
  'errorRate',
  'tooManyRate',
  'throttleRate',
  'lostReplyRate',
] as const;

export class FaultInjector {
  private faults: Faults = structuredClone(DEFAULT_FAULTS);
  private rand = mulberry32(DEFAULT_FAULTS.seed);
  private readonly windows = new Map<string, number[]>();

  get current(): Faults {
    return structuredClone(this.faults);
  }

  /** Merges onto the current settings; throws on values out of range. */
  set(patch: Partial<Faults>): Faults {
    const next = { ...this.faults, ...structuredClone(patch) };
    for (const k of RATE_KEYS) {
      const v = next[k];
      if (typeof v !== 'number' || v < 0 || v > 1) throw new Error(`${k} must be within 0..1`);
    }
    if (!Array.isArray(next.lostReplyKinds) || next.lostReplyKinds.some((k) => !LOST_KINDS.includes(k)))
      throw new Error(`lostReplyKinds must list some of ${LOST_KINDS.join(', ')}`);
    for (const k of ['latencyMs', 'throttlePerSecond', 'retryAfterSeconds', 'lostReplyDelayMs'] as const) {
      if (typeof next[k] !== 'number' || next[k] < 0) throw new Error(`${k} must be >= 0`);
    }
    if (!Array.isArray(next.failNext)) throw new Error('failNext must be an array');
    this.faults = next;
    if (patch.seed !== undefined) this.rand = mulberry32(patch.seed);
    return this.current;
  }

  reset(): void {
    this.faults = structuredClone(DEFAULT_FAULTS);
    this.rand = mulberry32(DEFAULT_FAULTS.seed);
    this.windows.clear();
  }

  applies(operation: string): boolean {
    const ops = this.faults.operations;
    return ops ? ops.includes(operation) : operation !== 'CreateToken';
  }

  get latencyMs(): number {
    return this.faults.latencyMs;
  }

  /** The fault (if any) for the next call, before authentication. */
  decide(): Decision {
    const scripted = this.faults.failNext.shift();
    if (scripted) {
      if ('kind' in scripted) return { kind: scripted.kind };
      const err = new ApiError(
        scripted.status,
        scripted.code,
        scripted.message ?? defaultMessage(scripted.code),
      );
      if (scripted.status === 429) err.headers['retry-after'] = String(this.faults.retryAfterSeconds);
      return { kind: 'error', error: err, fault: scripted.status === 429 ? 'throttle' : 'error' };
    }
    if (!RATE_KEYS.some((k) => k !== 'lostReplyRate' && this.faults[k] > 0)) return { kind: 'none' };
    const r = this.rand();
    let edge = 0;
    const hit = (rate: number): boolean => {
      edge += rate;
      return r < edge;
    };
    if (hit(this.faults.dropRate)) return { kind: 'drop' };
    if (hit(this.faults.hangRate)) return { kind: 'hang' };
    if (hit(this.faults.errorRate)) return { kind: 'error', error: errors.system(), fault: 'error' };
    if (hit(this.faults.tooManyRate)) return { kind: 'error', error: errors.busy(), fault: 'busy' };
    if (hit(this.faults.throttleRate)) {
      return { kind: 'error', error: errors.throttled(this.faults.retryAfterSeconds), fault: 'throttle' };
    }
    return { kind: 'none' };
  }

  /** For a write that was just performed: whether (and how) its answer is lost. */
  lostReply(): LostReply | undefined {
    const { lostReplyRate: rate, lostReplyKinds: kinds } = this.faults;
    if (rate <= 0 || kinds.length === 0 || this.rand() >= rate) return undefined;
    return kinds[Math.floor(this.rand() * kinds.length)];
  }

  get lostReplyDelayMs(): number {
    return this.faults.lostReplyDelayMs;
  }

  /** Per-account rate limit over a sliding one-second window; only admitted calls count. */
  throttle(account: string, now = Date.now()): ApiError | undefined {
    const max = this.faults.throttlePerSecond;
    if (max <= 0) return undefined;
    const recent = (this.windows.get(account) ?? []).filter((t) => now - t < 1000);
    if (recent.length >= max) {
      this.windows.set(account, recent);
      return errors.throttled(this.faults.retryAfterSeconds);
    }
    recent.push(now);
    this.windows.set(account, recent);
    return undefined;
  }
}

function defaultMessage(code: string): string {
  if (code === 'APIG.9999') return 'System error';
  if (code === 'APIG.9008') return 'Too many requests';
  if (code === 'APIG.0308') return 'The throttling threshold has been reached';
  return 'Injected fault';
}
