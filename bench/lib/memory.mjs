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

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) used so far by a process and its descendants
 * still running, from /proc/<pid>/stat.
 */
export function cpuSecondsOfTree(rootPid) {
  const stats = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which may itself hold spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), {
        ppid: Number(fields[1]),
        ticks: Number(fields[11]) + Number(fields[12]),
      });
    } catch {
      // gone meanwhile
    }
  }
  let ticks = 0;
  const pending = [rootPid];
  while (pending.length) {
    const pid = pending.pop();
    ticks += stats.get(pid)?.ticks ?? 0;
    for (const [child, stat] of stats) {
      if (stat.ppid === pid) pending.push(child);
    }
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}
