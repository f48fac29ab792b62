import { readFileSync } from 'node:fs';

/** utime+stime of this process and cutime+cstime of its reaped children, in seconds (/proc/self/stat). */
export function cpuTimes(): { self: number; children: number } {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  const tick = 100; // USER_HZ on Linux
  const n = (i: number): number => Number(fields[i - 3] ?? 0) / tick;
  return { self: n(14) + n(15), children: n(16) + n(17) };
}
