import type {
  BackupPlanSpec,
  BackupRuleSpec,
  ResourceSpec,
} from '../scenario/schema';
import { unit, uuid } from './random';
import type { EnvironmentWorld } from './simulation';
import { DAY, HOUR, MINUTE, SECOND } from './time';

/** AWS Backup keeps job history this long. */
const JOB_HISTORY = 35 * DAY;

export interface BackupJobRun {
  jobId: string;
  plan: BackupPlanSpec;
  rule: BackupRuleSpec;
  resource: ResourceSpec;
  scheduledAt: number;
  createdAt: number;
  state: 'RUNNING' | 'COMPLETED' | 'FAILED';
  completedAt?: number;
  percentDone: number;
  sizeBytes: number;
  message?: string;
  runIndex: number;
}

/** Scheduled run times of a rule in [from, to]. */
export function scheduledRuns(
  rule: BackupRuleSpec,
  from: number,
  to: number,
): number[] {
  const [, minuteText, hourText] = /^cron\((\d{1,2}) (\S+) /.exec(
    rule.schedule,
  )!;
  const minute = Number(minuteText);
  const everyHours = hourText.includes('/')
    ? Number(hourText.split('/')[1])
    : 24;
  const firstHour = hourText.includes('/')
    ? Number(hourText.split('/')[0] || 0)
    : Number(hourText);
  const period = everyHours * HOUR;
  const offset = (firstHour * HOUR + minute * MINUTE) % period;
  const runs: number[] = [];
  for (
    let t = Math.ceil((from - offset) / period) * period + offset;
    t <= to;
    t += period
  ) {
    runs.push(t);
  }
  return runs;
}

/** Resources a plan's selections pick, by name or by tag. */
export function selectedResources(
  world: EnvironmentWorld,
  plan: BackupPlanSpec,
): ResourceSpec[] {
  return world.spec.resources.filter(resource =>
    plan.selections.some(
      selection =>
        selection.resources.includes(resource.name) ||
        (selection.tag?.key === 'kler:environment' &&
          selection.tag.value === world.spec.name),
    ),
  );
}

/** Every backup job of the environment that exists at `now`, oldest first. */
export function backupJobs(
  world: EnvironmentWorld,
  now: number,
): BackupJobRun[] {
  const jobs: BackupJobRun[] = [];
  for (const plan of world.spec.backupPlans) {
    const resources = selectedResources(world, plan);
    for (const rule of plan.rules) {
      for (const scheduledAt of scheduledRuns(rule, now - JOB_HISTORY, now)) {
        const runIndex = Math.floor(scheduledAt / HOUR);
        for (const resource of resources) {
          const seedParts = [
            world.seed,
            world.spec.name,
            plan.name,
            rule.name,
            resource.name,
            scheduledAt,
          ];
          const createdAt =
            scheduledAt +
            Math.floor(
              (unit(...seedParts, 'delay') *
                Math.min(rule.startWindowMinutes, 30) *
                MINUTE) /
                SECOND,
            ) *
              SECOND;
          if (createdAt > now) continue;
          const duration =
            Math.floor(
              ((5 +
                resource.sizeGb * 0.1 +
                unit(...seedParts, 'duration') * 20) *
                MINUTE) /
                SECOND,
            ) * SECOND;
          const failure = resource.backupFailure;
          const dayIndex = Math.floor(scheduledAt / DAY);
          const fails =
            failure !== undefined && dayIndex % failure.everyNthRun === 0;
          const endsAt = createdAt + (fails ? 4 * MINUTE : duration);
          const sizeBytes = Math.floor(
            resource.sizeGb *
              1024 ** 3 *
              (0.6 + unit(...seedParts, 'size') * 0.1),
          );
          let state: BackupJobRun['state'] = 'COMPLETED';
          if (now < endsAt) state = 'RUNNING';
          else if (fails) state = 'FAILED';
          jobs.push({
            jobId: uuid(...seedParts),
            plan,
            rule,
            resource,
            scheduledAt,
            createdAt,
            state,
            completedAt: state === 'RUNNING' ? undefined : endsAt,
            percentDone:
              state === 'RUNNING'
                ? Math.floor((100 * (now - createdAt)) / (endsAt - createdAt))
                : 100,
            sizeBytes: state === 'COMPLETED' ? sizeBytes : 0,
            message: state === 'FAILED' ? failure?.message : undefined,
            runIndex,
          });
        }
      }
    }
  }
  return jobs.sort(
    (a, b) => a.createdAt - b.createdAt || (a.jobId < b.jobId ? -1 : 1),
  );
}

/** Completed jobs whose recovery points have not expired yet. */
export function recoveryPoints(
  world: EnvironmentWorld,
  now: number,
): BackupJobRun[] {
  return backupJobs(world, now).filter(
    job =>
      job.state === 'COMPLETED' &&
      job.createdAt + job.rule.deleteAfterDays * DAY > now,
  );
}
