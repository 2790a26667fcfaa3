// A child process that logs pino JSON lines on stdout, for tests that run the operator as a real
// process (the image's command, leader election across processes). Only ever kills its own child.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface LogLine {
  msg?: string;
  level?: string;
  at: number;
  // biome-ignore lint/suspicious/noExplicitAny: log lines are free-form JSON
  [field: string]: any;
}

export interface NodeProcess {
  name: string;
  child: ChildProcess;
  logs: LogLine[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Resolves with the first line (already logged or future) that matches. */
  waitForLog(match: string | ((l: LogLine) => boolean), timeoutMs?: number): Promise<LogLine>;
  alive(): boolean;
  kill(signal: NodeJS.Signals): void;
}

export function spawnNode(
  name: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; nodeFlags?: string[] },
): NodeProcess {
  return spawnLogged(name, process.execPath, [...(opts.nodeFlags ?? []), ...args], opts);
}

/** Any command whose stdout carries the log lines (e.g. the operator inside `buildah run`). */
export function spawnLogged(
  name: string,
  command: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
): NodeProcess {
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (raw) => {
    let line: LogLine;
    try {
      line = { ...(JSON.parse(raw) as object), at: performance.now() };
    } catch {
      line = { msg: raw, at: performance.now() };
    }
    logs.push(line);
    for (const w of waiters) w();
  });
  createInterface({ input: child.stderr! }).on('line', (raw) => stderr.push(raw));
  let exitedAt: number | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    // 'close', not 'exit': 'exit' can come before the last stdout lines are read, and tests look for
    // those lines (e.g. "stopped") once the process has ended.
    child.once('close', (code, signal) => {
      exitedAt = performance.now();
      for (const w of waiters) w();
      resolve({ code, signal, at: exitedAt });
    }),
  );
  const test = (m: string | ((l: LogLine) => boolean)) =>
    typeof m === 'string' ? (l: LogLine) => l.msg === m : m;
  return {
    name,
    child,
    logs,
    stderr,
    exited,
    alive: () => exitedAt === undefined,
    kill: (signal) => {
      if (exitedAt === undefined) child.kill(signal);
    },
    waitForLog(match, timeoutMs = 20_000) {
      const pred = test(match);
      return new Promise<LogLine>((resolve, reject) => {
        const check = () => {
          const hit = logs.find(pred);
          if (hit) {
            done();
            resolve(hit);
          } else if (exitedAt !== undefined) {
            done();
            reject(
              new Error(
                `${name} exited before logging ${String(match)}; stderr: ${stderr.join('\n').slice(-2000)}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `${name}: no log line ${String(match)} within ${timeoutMs} ms; last: ${logs
                .slice(-5)
                .map((l) => l.msg)
                .join(' | ')}`,
            ),
          );
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}
