// CPU time and peak resident memory of one process, read from /proc (Linux only).
// /proc/<pid>/stat fields 14 and 15 are utime and stime in clock ticks; /proc/<pid>/status
// carries VmHWM, the peak resident set size, in kB.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcUsage {
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
}

let ticksPerSecond: number | null = null;

/** `getconf CLK_TCK` (100 on every Linux this runs on; asked once rather than assumed). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond !== null) return ticksPerSecond;
  let value = 100;
  try {
    const parsed = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    if (Number.isInteger(parsed) && parsed > 0) value = parsed;
  } catch {
    // getconf missing: keep the Linux default of 100.
  }
  ticksPerSecond = value;
  return value;
}

/** Parses the text of /proc/<pid>/stat. The command name (field 2) may contain spaces and
 *  parentheses, so fields are counted from the last ')'. */
export function parseCpuTicks(statText: string): number {
  const end = statText.lastIndexOf(')');
  if (end < 0) throw new Error('malformed /proc stat: no ")"');
  const fields = statText.slice(end + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state): utime is field 14 -> index 11, stime field 15 -> index 12.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('malformed /proc stat: utime/stime not numbers');
  return utime + stime;
}

/** Parses VmHWM from the text of /proc/<pid>/status, in bytes (0 when absent). */
export function parsePeakRssBytes(statusText: string): number {
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(statusText);
  return match === null ? 0 : Number(match[1]) * 1024;
}

/** The process's usage now, or null when it has exited (or is a zombie with no memory data). */
export function readProcUsage(pid: number): ProcUsage | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { cpuSeconds: parseCpuTicks(stat) / clockTicksPerSecond(), peakRssBytes: parsePeakRssBytes(status) };
  } catch {
    return null;
  }
}
