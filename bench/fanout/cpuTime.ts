import { readFileSync } from 'node:fs';

/**
 * CPU time (user + system, µs) a process has used, read from /proc by another process. The host
 * cannot be asked itself mid-phase: at saturation its event loop answers IPC only between
 * fan-outs, seconds late, which would put the window's edges at the wrong times. /proc answers
 * at once; its resolution is one clock tick (10 ms), small against a window of seconds.
 * Undefined where there is no /proc (then the caller falls back to asking the host).
 */
export function cpuMicrosOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces) start at state (field 3);
  // utime and stime are fields 14 and 15, in clock ticks of 1/100 s on Linux.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks * 10_000 : undefined;
}

/**
 * Write system calls a process has made (syscw in /proc/PID/io): per delivery, how well the host
 * gathers its frames into few writes. Undefined where there is no /proc.
 */
export function writeCallsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^syscw:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
