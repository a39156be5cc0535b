/** A state lock as Terraform describes it ("Lock Info" of a refused lock, a local lock file). */
export interface TerraformLockInfo {
  id: string;
  /** `OperationTypeApply`, `OperationTypePlan`, ... */
  operation: string;
  /** `user@hostname` of the process that took it. */
  who: string;
  version: string;
  /** ISO time the lock was taken, by the clock of the host that took it. */
  created: string;
  path: string;
}

/** What is known of the interrupted apply whose lock may be left. */
export interface InterruptedApplyLockHolder {
  /** When the step started `terraform apply` (ISO, by its host's clock). */
  startedAt: string;
  /** `os.hostname()` of the backend that ran it; Terraform's lock says `user@<hostname>`. */
  host: string;
  /** How long after `startedAt` that apply's own time limit had stopped it at the latest (timeout and grace). */
  stoppedWithinMs: number;
}

/** What to do with a held lock. */
export type LockDecision =
  | {
      action: 'release';
      reason: string;
      /** Why, in a few words: `no Terraform on this host uses the state`. */
      brief: string;
    }
  | { action: 'wait'; until: Date; reason: string }
  | { action: 'leave'; reason: string };

/**
 * Terraform takes the lock as `apply` starts, after reading the plan and
 * configuring the backend: seconds later, more on a busy host.
 */
export const LOCK_TAKEN_WITHIN_MS = 2 * 60_000;
/** Clocks of different hosts, and a SIGKILL that has to land. */
const MARGIN_MS = 60_000;

const LOCK_FIELDS: Record<string, keyof TerraformLockInfo> = {
  ID: 'id',
  Path: 'path',
  Operation: 'operation',
  Who: 'who',
  Version: 'version',
  Created: 'created',
};

/** Terraform prints `2026-12-01 22:54:28.189863365 +0000 UTC`. */
function isoTime(text: string): string {
  const match = text.match(
    /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)? ([+-]\d{2})(\d{2})/,
  );
  const parsed = match
    ? new Date(
        `${match[1]}T${match[2]}${(match[3] ?? '').slice(0, 4)}${match[4]}:${
          match[5]
        }`,
      )
    : new Date(text);
  return Number.isNaN(parsed.getTime()) ? text : parsed.toISOString();
}

/**
 * The lock described by Terraform's "Error acquiring the state lock" (its
 * "Lock Info:" block on stderr); undefined when the output has none.
 */
export function parseLockInfo(stderr: string): TerraformLockInfo | undefined {
  const start = stderr.indexOf('Lock Info:');
  if (start < 0) return undefined;
  const info: Partial<TerraformLockInfo> = {};
  for (const line of stderr.slice(start).split('\n').slice(1)) {
    const match = line.replace(/^[│\s]+/, '').match(/^(\w+):\s*(.*)$/);
    if (!match) break;
    const field = LOCK_FIELDS[match[1]];
    if (field) info[field] = match[2].trim();
  }
  if (!info.id) return undefined;
  return {
    id: info.id,
    operation: info.operation ?? '',
    who: info.who ?? '',
    version: info.version ?? '',
    created: isoTime(info.created ?? ''),
    path: info.path ?? '',
  };
}

/** A lock file of the local backend (`.terraform.tfstate.lock.info`), or undefined. */
export function parseLockFile(text: string): TerraformLockInfo | undefined {
  try {
    const file = JSON.parse(text);
    if (typeof file?.ID !== 'string') return undefined;
    return {
      id: file.ID,
      operation: String(file.Operation ?? ''),
      who: String(file.Who ?? ''),
      version: String(file.Version ?? ''),
      created: isoTime(String(file.Created ?? '')),
      path: String(file.Path ?? ''),
    };
  } catch {
    return undefined;
  }
}

/** The host part of Terraform's `user@hostname`. */
export function hostOf(who: string): string {
  return who.slice(who.lastIndexOf('@') + 1);
}

/**
 * Whether a held state lock may be released for an interrupted apply. A lock
 * is released only when it is that apply's own, and its holder provably no
 * longer runs:
 *
 * - Its own: an apply's lock, taken on the host where the interrupted apply
 *   ran, within {@link LOCK_TAKEN_WITHIN_MS} of its start (both times by that
 *   host's clock). Any other lock (a plan, another host, later) is left alone.
 * - Not running, on the same host: no Terraform process on this host uses the
 *   environment's state (`runningHere` is false; the caller looks in /proc).
 * - Not running, elsewhere: this host cannot see that host's processes. A
 *   backend that died took its Terraform with it (a container's processes
 *   end with it; a Terraform that outlives its backend dies at its next line
 *   of output, whose pipe is closed), but a backend that lives and only lost
 *   the database (its task recovered elsewhere) still runs it. Its own time
 *   limit stops it, so the lock is released once that limit is past for an
 *   apply that took the lock when this one did.
 */
export function decideLockRelease(
  lock: TerraformLockInfo,
  holder: InterruptedApplyLockHolder,
  here: { hostname: string; now: Date; runningHere?: boolean },
): LockDecision {
  const startedAt = Date.parse(holder.startedAt);
  const created = Date.parse(lock.created);
  const described = `lock ${lock.id} (${lock.operation} by ${lock.who}, taken at ${lock.created})`;
  if (lock.operation !== 'OperationTypeApply') {
    return {
      action: 'leave',
      reason: `the ${described} is not an apply's: not this task's`,
    };
  }
  if (hostOf(lock.who) !== holder.host) {
    return {
      action: 'leave',
      reason: `the ${described} was taken on another host than the interrupted apply's (${holder.host}): not this task's`,
    };
  }
  if (
    Number.isNaN(created) ||
    created < startedAt - 1000 ||
    created > startedAt + LOCK_TAKEN_WITHIN_MS
  ) {
    return {
      action: 'leave',
      reason: `the ${described} was not taken as the interrupted apply started (${holder.startedAt}): not this task's`,
    };
  }
  if (holder.host === here.hostname && here.runningHere !== undefined) {
    return here.runningHere
      ? {
          action: 'wait',
          until: new Date(created + holder.stoppedWithinMs + MARGIN_MS),
          reason: `the ${described} is held by a Terraform still running on this host with the environment's state`,
        }
      : {
          action: 'release',
          reason: `the ${described} is the interrupted apply's, and no Terraform runs on this host with the environment's state`,
          brief: 'no Terraform on this host used the state any more',
        };
  }
  const stopped = Math.max(startedAt, created) + holder.stoppedWithinMs;
  const until = new Date(stopped + MARGIN_MS);
  if (here.now.getTime() >= until.getTime()) {
    return {
      action: 'release',
      reason: `the ${described} is the interrupted apply's, and its time limit has passed (it was stopped by ${new Date(
        stopped,
      ).toISOString()})`,
      brief: `the time limit of the apply that took it had passed`,
    };
  }
  return {
    action: 'wait',
    until,
    reason: `the ${described} is the interrupted apply's, taken on host ${
      holder.host
    }, whose processes this backend cannot see: if that backend still runs, its Terraform stops at its time limit (${new Date(
      stopped,
    ).toISOString()})`,
  };
}
