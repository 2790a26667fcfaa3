// Child processes that cannot outlive us. Each binary runs under a tiny bash guard that kills it
// when our end of its stdin pipe closes — which the kernel does for us even on `kill -9`, so an
// interrupted test run never leaves etcd or kube-apiserver behind.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

const GUARD = `
exec 3<&0
"$@" 0</dev/null &
child=$!
( cat <&3 >/dev/null; kill -TERM "$child" 2>/dev/null; sleep 10; kill -KILL "$child" 2>/dev/null ) &
watcher=$!
exec 3<&-
wait "$child"; status=$?
kill "$watcher" 2>/dev/null
exit "$status"
`;

export interface GuardedProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(graceMs?: number): Promise<void>;
}

export function startGuarded(name: string, command: string, args: string[], logFile: string): GuardedProcess {
  const log = createWriteStream(logFile, { flags: 'a' });
  // detached: the guard leads its own process group, so a last-resort kill reaches every descendant.
  const child = spawn('bash', ['-c', GUARD, `guard-${name}`, command, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  // Synchronous last resort for a normal process exit that skipped teardown.
  const onExit = () => killGroup('SIGKILL');
  process.once('exit', onExit);
  return {
    name,
    child,
    exited,
    async stop(graceMs = 10_000) {
      process.removeListener('exit', onExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin?.end(); // the guard sends SIGTERM to the binary
      const timer = setTimeout(() => killGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      killGroup('SIGKILL'); // the guard's watcher subshell, if still around
      log.end();
    },
  };
}
