// Peak memory of another process, from /proc: VmHWM is the kernel's high-water
// mark of its resident set, so no sample between two reads can be missed.
import { readFileSync, readdirSync } from 'node:fs';

export function readProcStatusKb(pid, field) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}

/** The pid of the process whose command line contains `marker`. */
export function findPidByArgument(marker) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.split('\0').some(arg => arg.includes(marker)))
        return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}
