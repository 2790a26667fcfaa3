// The gateway emulator as its own process (`node test/emulator/main.ts`), driven over its /__admin API,
// so its CPU is not counted as the benchmark's and the benchmark's own figure means what it says.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { CallLog, Faults, Seed } from '../emulator/server.ts';
import { cpuSeconds } from './proc.ts';

const MAIN = resolve(import.meta.dirname, '../emulator/main.ts');

export interface EmulatorProcess {
  url: string;
  seed: Seed;
  pid: number;
  /** Counts and the calls' time window (the per-call entries stay in the emulator). */
  calls(): Promise<Omit<CallLog, 'calls'> & CallWindow>;
  resetCalls(): Promise<void>;
  setFaults(f: Partial<Faults>): Promise<void>;
  resetFaults(): Promise<void>;
  /** Serial of the certificate a domain serves on a gateway, if any. */
  servedSerial(domain: string, instanceId: string): Promise<string | undefined>;
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** When the first call of the log arrived and the last one was answered (wall clock, ms). */
export interface CallWindow {
  firstArrivalMs?: number;
  lastAnswerMs?: number;
  /**
   * How long the gateway was answering: the union of the calls' arrival → answer intervals (calls in
   * parallel count once). A renewal's round trips, as the gateway served them.
   */
  answeringMs: number;
}

export async function startEmulatorProcess(seed: Seed): Promise<EmulatorProcess> {
  const seedPath = join(tmpdir(), `apig-bench-seed-${process.pid}.json`);
  writeFileSync(seedPath, JSON.stringify(seed));
  const child: ChildProcess = spawn(process.execPath, [MAIN, '--port', '0', '--seed', seedPath, '--quiet'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const first = await new Promise<string>((resolveLine, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (l) => resolveLine(l));
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code} before it was ready`)));
  });
  const { url } = JSON.parse(first) as { url: string };
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}/__admin/${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`emulator ${method} /__admin/${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? undefined : res.json();
  };
  const pid = child.pid!;
  return {
    url,
    seed,
    pid,
    calls: async () => {
      const { counts, total, writes, calls } = (await admin('GET', 'calls')) as CallLog;
      const window: CallWindow = { answeringMs: 0 };
      let coveredTo = -Infinity;
      for (const c of [...calls].sort((a, b) => a.arrived_ms - b.arrived_ms)) {
        const [from, to] = [c.arrived_ms, c.arrived_ms + c.duration_ms];
        window.firstArrivalMs = Math.min(window.firstArrivalMs ?? from, from);
        window.lastAnswerMs = Math.max(window.lastAnswerMs ?? 0, to);
        window.answeringMs += Math.max(0, to - Math.max(from, coveredTo));
        coveredTo = Math.max(coveredTo, to);
      }
      return { counts, total, writes, ...window };
    },
    resetCalls: async () => void (await admin('POST', 'calls/reset')),
    setFaults: async (f) => void (await admin('POST', 'faults', f)),
    resetFaults: async () => void (await admin('POST', 'faults/reset')),
    servedSerial: async (domain, instanceId) => {
      const q = new URLSearchParams({ instance_id: instanceId, domain });
      const { certificate } = (await admin('GET', `served?${q}`)) as {
        certificate: { serial_number: string } | null;
      };
      return certificate?.serial_number;
    },
    cpuSeconds: () => cpuSeconds(pid),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
