// The operator as a separate process (`node src/main.ts`), as it runs in a pod: spawn it, wait for
// /readyz, read /metrics and /proc, stop it with SIGTERM and time the exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from '../support/net.ts';
import { cpuSeconds, statusBytes } from './proc.ts';

const SOURCE_MAIN = resolve(import.meta.dirname, '../../src/main.ts');

export interface OperatorProcess {
  pid: number;
  /** ms from spawn until /readyz answered 200. */
  startupMs: number;
  metricsText(): Promise<string>;
  /** VmRSS in bytes. */
  rssBytes(): number;
  /** VmHWM in bytes: the highest RSS so far. */
  peakRssBytes(): number;
  /** User + system CPU seconds used so far. */
  cpuSeconds(): number;
  /** SIGTERM; resolves with the ms until the process exited. */
  stop(): Promise<number>;
  /** Resolves with the exit code (or signal) when the process ends, for whatever reason. */
  exited: Promise<string>;
  /** Last lines the operator wrote (warn and above), for failure messages. */
  logTail(): string;
}

const running = new Set<ChildProcess>();

/** Kills operators still running (error paths, Ctrl-C). */
export function killAllOperators(): void {
  for (const child of running) child.kill('SIGKILL');
}

export async function startOperatorProcess(opts: {
  namespace: string;
  kubeconfigPath: string;
  concurrency: number;
  extraArgs?: string[];
  /** The entry point: src/main.ts (default) or a compiled main.js (see build.ts). */
  main?: string;
  /** Extra environment, e.g. NODE_OPTIONS as the Deployment sets it. */
  env?: Record<string, string>;
  /** Node flags before the script, e.g. --max-old-space-size. */
  nodeArgs?: string[];
}): Promise<OperatorProcess> {
  const [metricsPort, probePort] = [await freePort(), await freePort()];
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...(opts.nodeArgs ?? []),
      opts.main ?? SOURCE_MAIN,
      '--namespaces',
      opts.namespace,
      '--allow-insecure-http=true',
      '--allowed-endpoint-networks=127.0.0.0/8',
      '--metrics-bind-address',
      `127.0.0.1:${metricsPort}`,
      '--health-probe-bind-address',
      `127.0.0.1:${probePort}`,
      '--log-level',
      process.env.BENCH_OPERATOR_LOG_LEVEL ?? 'warn',
      '--concurrency',
      String(opts.concurrency),
      ...(opts.extraArgs ?? []),
    ],
    {
      env: { ...process.env, ...opts.env, KUBECONFIG: opts.kubeconfigPath },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  const exited = new Promise<string>((r) => child.once('exit', (code, signal) => r(String(signal ?? code))));
  void exited.then(() => running.delete(child));
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 20));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // BENCH_OPERATOR_LOG=<file>: everything the operator writes (e.g. with --node-arg=--trace-gc, or
  // BENCH_OPERATOR_LOG_LEVEL=debug for each gateway call's timing), appended.
  const logFile = process.env.BENCH_OPERATOR_LOG;
  if (logFile) {
    const out = createWriteStream(logFile, { flags: 'a' });
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn the operator');

  const probeUrl = `http://127.0.0.1:${probePort}/readyz`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`operator exited with ${child.exitCode}:\n${tail.join('\n')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL'); // the caller gets no handle to stop it: it would outlive the test run
      throw new Error(`operator not ready after 60 s:\n${tail.join('\n')}`);
    }
    const ok = await fetch(probeUrl)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const startupMs = performance.now() - started;

  return {
    pid,
    startupMs,
    metricsText: async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text(),
    rssBytes: () => statusBytes(pid, 'VmRSS'),
    peakRssBytes: () => statusBytes(pid, 'VmHWM'),
    cpuSeconds: () => cpuSeconds(pid),
    stop: async () => {
      const t = performance.now();
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      return performance.now() - t;
    },
    exited,
    logTail: () => tail.join('\n'),
  };
}

/** Sum of every sample of a metric in Prometheus text format (all label sets). */
export function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(v)) sum += v;
  }
  return sum;
}
