import { parseBackupScheduleFrequencyHours } from '../backupSchedule';
import { backupPlanSelects } from '../backupSelection';
import {
  backupJobConsoleUrl,
  backupPlanConsoleUrl,
  backupPlansConsoleUrl,
  backupProtectedResourceConsoleUrl,
} from '../consoleUrls';
import { BackupJob, BackupPlan, BackupState, Problem } from '../types';
import {
  DAY_MS,
  HOUR_MS,
  RuleContext,
  ageInMs,
  createProblem,
  formatDuration,
  plural,
  severityForTier,
} from './context';

const FAILED_JOB_STATES = ['FAILED', 'ABORTED', 'EXPIRED'];
const ACTIVE_JOB_STATES = ['CREATED', 'PENDING', 'RUNNING'];

/** The last part of an ARN: `fs-0abc` of an EFS file system, `shop-database` of an RDS db. */
export function resourceIdFromArn(arn: string): string {
  return arn.split(/[:/]/).pop() || arn;
}

/**
 * The plans whose selections pick the resource; its tags are those read with
 * the environment's candidates (a resource only in the vault has none known).
 */
function plansSelecting(
  backup: BackupState,
  resourceArn: string,
): BackupPlan[] {
  const candidate = backup.candidates.find(c => c.resourceArn === resourceArn);
  const resource = { resourceArn, tags: candidate?.tags };
  return backup.plans.filter(plan => backupPlanSelects(plan, resource));
}

/** The shortest interval among the rules of the given plans, in hours. */
function planFrequencyHours(plans: BackupPlan[]): number | undefined {
  const frequencies = plans
    .flatMap(plan => plan.rules)
    .map(
      rule =>
        rule.frequencyHours ??
        (rule.scheduleExpression
          ? parseBackupScheduleFrequencyHours(rule.scheduleExpression)
          : undefined),
    )
    .filter((hours): hours is number => hours !== undefined && hours > 0);
  return frequencies.length > 0 ? Math.min(...frequencies) : undefined;
}

function jobTime(job: BackupJob): number {
  return Date.parse(job.completionDate ?? job.creationDate);
}

function resourceLabel(backup: BackupState, resourceArn: string): string {
  const name =
    backup.candidates.find(c => c.resourceArn === resourceArn)?.resourceName ??
    backup.protectedResources.find(r => r.resourceArn === resourceArn)
      ?.resourceName;
  return name ?? resourceIdFromArn(resourceArn);
}

function startBackupJobCommand(
  context: RuleContext,
  resourceArn: string,
): string {
  const vault = context.environment.backupVault ?? '<vault>';
  return (
    `\`aws backup start-backup-job --backup-vault-name ${vault} --resource-arn ` +
    `${resourceArn} --iam-role-arn <backup role ARN> --region ${context.environment.region}\``
  );
}

/** Backup jobs of the window that failed, were aborted, expired or were partial. */
export function detectFailedBackupJobs(context: RuleContext): Problem[] {
  const backup = context.snapshot.backup;
  if (!backup) {
    return [];
  }
  const windowMs = context.thresholds.backupJobWindowDays * DAY_MS;
  const jobsByResource = new Map<string, BackupJob[]>();
  for (const job of backup.jobs) {
    const age = ageInMs(context, job.creationDate);
    if (age === undefined || age > windowMs) {
      continue;
    }
    jobsByResource.set(job.resourceArn, [
      ...(jobsByResource.get(job.resourceArn) ?? []),
      job,
    ]);
  }

  const problems: Problem[] = [];
  const { region } = context.environment;
  for (const [resourceArn, jobs] of jobsByResource) {
    const newestFirst = [...jobs].sort((a, b) => jobTime(b) - jobTime(a));
    const label = resourceLabel(backup, resourceArn);
    const resourceId = resourceIdFromArn(resourceArn);
    const failed = newestFirst.filter(job =>
      FAILED_JOB_STATES.includes(job.state),
    );
    const partial = newestFirst.filter(job => job.state === 'PARTIAL');

    if (failed.length > 0) {
      const latest = failed[0];
      const completedSince = newestFirst.find(
        job => job.state === 'COMPLETED' && jobTime(job) > jobTime(latest),
      );
      problems.push(
        createProblem(context, {
          idSuffix: `backup/${resourceId}/job-failed`,
          area: 'backup',
          // A later successful job means the data is protected again.
          severity: completedSince
            ? 'low'
            : severityForTier(context, 'high', 'medium'),
          title: `Backup of ${label} failed`,
          explanation:
            `${plural(failed.length, 'backup job')} of ${label} ` +
            `${
              failed.length === 1 ? 'has' : 'have'
            } not completed in the last ` +
            `${formatDuration(windowMs)} (${failed
              .map(job => job.state)
              .join(', ')}). Latest: job ${latest.backupJobId} ${
              latest.state
            } at ` +
            `${latest.completionDate ?? latest.creationDate}: ${
              latest.statusMessage ?? 'no status message'
            }.${
              completedSince
                ? ` A later job (${completedSince.backupJobId}) completed at ${completedSince.completionDate}.`
                : ' No job has completed since.'
            }`,
          proposedFix:
            `Read the job's status message: most failures come from the backup role ` +
            `(it needs the AWSBackupServiceRolePolicyForBackup policy and access to the ` +
            `resource's KMS key) or from a resource that was busy or deleted. After the ` +
            `fix, start an on-demand backup: ${startBackupJobCommand(
              context,
              resourceArn,
            )}.`,
          consoleUrl: backupJobConsoleUrl(region, latest.backupJobId),
          resource: resourceArn,
        }),
      );
    }

    if (partial.length > 0) {
      const latest = partial[0];
      problems.push(
        createProblem(context, {
          idSuffix: `backup/${resourceId}/job-partial`,
          area: 'backup',
          severity: severityForTier(context, 'medium', 'low'),
          title: `Backup of ${label} completed only partially`,
          explanation:
            `${plural(
              partial.length,
              'backup job',
            )} of ${label} ended PARTIAL in ` +
            `the last ${formatDuration(windowMs)}. Latest: job ${
              latest.backupJobId
            } at ${latest.completionDate ?? latest.creationDate}: ${
              latest.statusMessage ?? 'no status message'
            }.`,
          proposedFix:
            `Open the job's child jobs to see which part was not backed up, fix its ` +
            `access or state, and start a new backup: ${startBackupJobCommand(
              context,
              resourceArn,
            )}.`,
          consoleUrl: backupJobConsoleUrl(region, latest.backupJobId),
          resource: resourceArn,
        }),
      );
    }
  }
  return problems;
}

/**
 * Protected resources whose latest recovery point is older than their plan's
 * schedule allows (the RPO), with a grace factor for jobs that run late.
 */
export function detectRecoveryPointObjectiveBreaches(
  context: RuleContext,
): Problem[] {
  const backup = context.snapshot.backup;
  if (!backup) {
    return [];
  }
  const { region } = context.environment;
  const grace = context.thresholds.rpoGraceFactor;
  const problems: Problem[] = [];
  for (const resource of backup.protectedResources) {
    const plans = [
      ...new Set([
        ...plansSelecting(backup, resource.resourceArn),
        ...backup.plans.filter(p => p.backupPlanId === resource.backupPlanId),
      ]),
    ];
    const frequencyHours = planFrequencyHours(plans);
    const latestTimes = [
      resource.latestRecoveryPointAt,
      resource.lastBackupTime,
    ]
      .map(iso => ageInMs(context, iso))
      .filter((age): age is number => age !== undefined);
    if (frequencyHours === undefined || latestTimes.length === 0) {
      continue;
    }
    const age = Math.min(...latestTimes);
    const allowedMs = frequencyHours * grace * HOUR_MS;
    if (age <= allowedMs) {
      continue;
    }
    const label =
      resource.resourceName ?? resourceIdFromArn(resource.resourceArn);
    problems.push(
      createProblem(context, {
        idSuffix: `backup/${resourceIdFromArn(
          resource.resourceArn,
        )}/rpo-breach`,
        area: 'backup',
        severity: severityForTier(context, 'high', 'medium'),
        title: `Latest backup of ${label} is too old`,
        explanation:
          `The latest recovery point of ${label} (${resource.resourceType}) is ` +
          `${formatDuration(age)} old; plan ${plans
            .map(p => p.backupPlanName)
            .join(', ')} backs it up every ${formatDuration(
            frequencyHours * HOUR_MS,
          )}, so it should be at most ${formatDuration(allowedMs)} old ` +
          `(${grace}x the interval).`,
        proposedFix:
          `Check the plan's recent backup jobs for ${label} (failed, expired or ` +
          `never started: the backup window may be too short or the selection may ` +
          `no longer match), then start an on-demand backup: ${startBackupJobCommand(
            context,
            resource.resourceArn,
          )}.`,
        consoleUrl: backupProtectedResourceConsoleUrl(
          region,
          resource.resourceArn,
        ),
        resource: resource.resourceArn,
      }),
    );
  }
  return problems;
}

/**
 * Resources of the environment that must be backed up: not selected by any
 * plan, or selected but without any recovery point yet.
 */
export function detectUnprotectedResources(context: RuleContext): Problem[] {
  const backup = context.snapshot.backup;
  if (!backup) {
    return [];
  }
  const { region } = context.environment;
  const problems: Problem[] = [];
  for (const candidate of backup.candidates) {
    const label =
      candidate.resourceName ?? resourceIdFromArn(candidate.resourceArn);
    const resourceId = resourceIdFromArn(candidate.resourceArn);
    const plans = plansSelecting(backup, candidate.resourceArn);
    if (plans.length === 0) {
      problems.push(
        createProblem(context, {
          idSuffix: `backup/${resourceId}/not-in-backup-plan`,
          area: 'backup',
          severity: severityForTier(context, 'critical', 'low'),
          title: `${label} is not backed up`,
          explanation:
            `${label} (${candidate.resourceType}) is tagged to environment ` +
            `${context.environment.name} but none of the ${plural(
              backup.plans.length,
              'backup plan',
            )} selects it.`,
          proposedFix:
            `Add the resource to the environment's backup plan: \`aws backup ` +
            `create-backup-selection --backup-plan-id <plan id> --backup-selection ` +
            `'{"SelectionName":"${resourceId}","IamRoleArn":"<backup role ARN>",` +
            `"Resources":["${candidate.resourceArn}"]}' --region ${region}\`, or ` +
            `select by the tag kler:environment=${context.environment.name}.`,
          consoleUrl: backupPlansConsoleUrl(region),
          resource: candidate.resourceArn,
        }),
      );
      continue;
    }
    const protectedResource = backup.protectedResources.find(
      r => r.resourceArn === candidate.resourceArn,
    );
    const hasRecoveryPoint =
      protectedResource?.latestRecoveryPointAt ||
      protectedResource?.lastBackupTime;
    const jobRunning = backup.jobs.some(
      job =>
        job.resourceArn === candidate.resourceArn &&
        ACTIVE_JOB_STATES.includes(job.state),
    );
    if (!hasRecoveryPoint && !jobRunning) {
      problems.push(
        createProblem(context, {
          idSuffix: `backup/${resourceId}/no-recovery-point`,
          area: 'backup',
          severity: severityForTier(context, 'medium', 'low'),
          title: `${label} has no recovery point yet`,
          explanation: `${label} (${
            candidate.resourceType
          }) is selected by plan ${plans
            .map(p => p.backupPlanName)
            .join(', ')} but the vault${
            backup.vaultName ? ` ${backup.vaultName}` : ''
          } holds no recovery point of it and no backup job is running.`,
          proposedFix:
            `Start a first backup now rather than waiting for the schedule: ` +
            `${startBackupJobCommand(context, candidate.resourceArn)}.`,
          consoleUrl: backupPlanConsoleUrl(region, plans[0].backupPlanId),
          resource: candidate.resourceArn,
        }),
      );
    }
  }
  return problems;
}

/** A production environment without any backup plan. */
export function detectMissingBackupPlan(context: RuleContext): Problem[] {
  const backup = context.snapshot.backup;
  if (
    !backup ||
    backup.plans.length > 0 ||
    context.environment.tier !== 'production'
  ) {
    return [];
  }
  const { region, name } = context.environment;
  return [
    createProblem(context, {
      idSuffix: 'backup/no-backup-plan',
      area: 'backup',
      severity: 'critical',
      title: `Production environment ${name} has no backup plan`,
      explanation:
        `AWS Backup in account ${context.environment.accountId} (${region}) has no ` +
        `backup plan, so none of the environment's ${plural(
          backup.candidates.length,
          'data store',
        )} is backed up on a schedule.`,
      proposedFix:
        `Create a plan with a daily rule into vault ${
          context.environment.backupVault ?? '<vault>'
        } and a selection by the tag kler:environment=${name}, through the ` +
        `environment's Terraform (aws_backup_plan, aws_backup_selection) so that it ` +
        `stays in code.`,
      consoleUrl: backupPlansConsoleUrl(region),
    }),
  ];
}

export const backupRules = [
  detectFailedBackupJobs,
  detectRecoveryPointObjectiveBreaches,
  detectUnprotectedResources,
  detectMissingBackupPlan,
];
