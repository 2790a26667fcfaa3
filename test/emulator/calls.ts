// The call log: what the emulator was asked, what it answered, and counts per operation.
import type { AuthScheme } from './auth.ts';
import type { FaultKind } from './faults.ts';
import { WRITE_OPERATIONS } from './routes.ts';

export interface CallEntry {
  seq: number;
  at: string;
  method: string;
  path: string;
  query: string;
  /** Operation name from the README table, or `Unknown`. */
  operation: string;
  write: boolean;
  family: 'apigw' | 'apic' | null;
  /** HTTP status; `null` when the call hung or its connection was dropped. */
  status: number | null;
  error_code: string | null;
  auth: AuthScheme;
  account: string | null;
  /** Why authentication failed (never sent to the caller). */
  auth_failure: string | null;
  fault: FaultKind | null;
  request_id: string;
  /** When the request arrived (epoch ms, microsecond precision) and how long until its answer was written. */
  arrived_ms: number;
  duration_ms: number;
  /** What was sent, without any value: for comparing a client's requests with the SDK's models. */
  request: RequestShape;
}

export interface RequestShape {
  /** Lower-case header names. */
  headers: string[];
  /** SignedHeaders of an AK/SK call, else null. */
  signed_headers: string[] | null;
  /** The JSON body with every leaf replaced by its type ("string", "number", "boolean", "null"). */
  body: unknown;
}

/** The body's structure only: no value (a private key included) ever reaches the call log. */
export function shapeOf(raw: Buffer): unknown {
  if (raw.length === 0) return null;
  let v: unknown;
  try {
    v = JSON.parse(raw.toString('utf8'));
  } catch {
    return 'non-json';
  }
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === 'object')
      return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, walk(y)]));
    return x === null ? 'null' : typeof x;
  };
  return walk(v);
}

export interface CallLog {
  calls: CallEntry[];
  counts: Record<string, number>;
  total: number;
  writes: number;
}

export class CallRecorder {
  private entries: CallEntry[] = [];
  private seq = 0;

  add(entry: Omit<CallEntry, 'seq' | 'write'>): CallEntry {
    const e = { ...entry, seq: ++this.seq, write: WRITE_OPERATIONS.has(entry.operation) };
    this.entries.push(e);
    return e;
  }

  log(): CallLog {
    const counts: Record<string, number> = {};
    for (const e of this.entries) counts[e.operation] = (counts[e.operation] ?? 0) + 1;
    return {
      calls: this.entries.map((e) => ({ ...e })),
      counts,
      total: this.entries.length,
      writes: this.entries.filter((e) => e.write).length,
    };
  }

  reset(): void {
    this.entries = [];
  }
}
