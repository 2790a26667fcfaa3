// Figures of a process read from /proc: CPU time, resident memory and its high-water mark.
import { readFileSync } from 'node:fs';

const CLK_TCK = 100; // USER_HZ on Linux

/** User + system CPU seconds the process has used. */
export function cpuSeconds(pid: number): number {
  // Fields after the ")" of comm: state is field 3, utime 14, stime 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/** A kB field of /proc/<pid>/status in bytes: VmRSS (resident now) or VmHWM (peak resident). */
export function statusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

/** CPU seconds of this process (the benchmark itself). */
export function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
