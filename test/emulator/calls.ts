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
  duration_ms: number;
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
