import {
  EnvironmentRun,
  EnvironmentRunKind,
  EnvironmentRunSummary,
  Problem,
  ResourceChangeCounts,
} from '../types';
import { INTERRUPTED_APPLY_MESSAGE_PREFIX, isInterruptedApply } from '../runs';
import {
  RunRuleContext,
  ageInMs,
  createProblem,
  formatDuration,
  plural,
  severityForTier,
} from './context';

/** A rule about the environment's run history. */
export type RunRule = (context: RunRuleContext) => Problem[];

const SOURCE_LABELS: Record<EnvironmentRun['source'], string> = {
  portal: 'from the portal',
  pipeline: "from the environment repository's pipeline",
  schedule: 'by the drift schedule',
};

function timeOf(run: EnvironmentRun): number {
  const time = Date.parse(run.at);
  return Number.isNaN(time) ? -Infinity : time;
}

/**
 * The latest run of a kind that did something: a skipped run (nothing was
 * planned or applied) says nothing about the environment. Runs of the same
 * time keep the order given (the backend lists newest first).
 */
export function latestRunOf(
  runs: EnvironmentRun[],
  kind: EnvironmentRunKind,
): EnvironmentRun | undefined {
  let latest: EnvironmentRun | undefined;
  for (const run of runs) {
    if (run.kind !== kind || run.outcome === 'skipped') continue;
    if (!latest || timeOf(run) > timeOf(latest)) {
      latest = run;
    }
  }
  return latest;
}

function describeCounts(counts: ResourceChangeCounts): string {
  const parts = (['add', 'change', 'destroy', 'replace'] as const)
    .filter(action => counts[action] > 0)
    .map(action => `${counts[action]} to ${action}`);
  return parts.length > 0 ? parts.join(', ') : 'no resource changes';
}

function resourceChanges(summary: EnvironmentRunSummary): number {
  return summary.add + summary.change + summary.destroy + summary.replace;
}

/** `1 to change (terraform_data: 1 to change; aws_ecs_service: 2 to add)` */
export function describeRunSummary(summary: EnvironmentRunSummary): string {
  const byType = Object.entries(summary.byType)
    .filter(([, counts]) => resourceChanges({ ...counts, byType: {} }) > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, counts]) => `${type}: ${describeCounts(counts)}`);
  const outputs = summary.outputChanges
    ? `, ${plural(summary.outputChanges, 'output')} to change`
    : '';
  return `${describeCounts(summary)}${outputs}${
    byType.length > 0 ? ` (${byType.join('; ')})` : ''
  }`;
}

function hasChanges(summary: EnvironmentRunSummary | undefined): boolean {
  return (
    summary !== undefined &&
    (resourceChanges(summary) > 0 || (summary.outputChanges ?? 0) > 0)
  );
}

function when(context: RunRuleContext, run: EnvironmentRun): string {
  const age = ageInMs(context, run.at);
  return age !== undefined && age >= 0
    ? `${formatDuration(age)} ago (${run.at})`
    : `at ${run.at}`;
}

function repositoryDirectory(context: RunRuleContext): string {
  return `environments/${context.environment.name}`;
}

/**
 * The latest apply that ran failed, or was interrupted with the backend that
 * ran it: the environment may be half changed.
 */
export function detectFailedApply(context: RunRuleContext): Problem[] {
  const apply = latestRunOf(context.runs, 'apply');
  if (!apply || apply.outcome !== 'failed') {
    return [];
  }
  const { name, accountId } = context.environment;
  if (isInterruptedApply(apply)) {
    return [
      createProblem(context, {
        idSuffix: 'provisioning/apply-failed',
        area: 'provisioning',
        severity: 'high',
        title: `Last apply of ${name} was interrupted`,
        explanation:
          `The Terraform apply of ${name} ${when(
            context,
            apply,
          )}, started by ` +
          `${apply.actor} ${SOURCE_LABELS[apply.source]}, was interrupted: ` +
          `${apply.message!.slice(
            INTERRUPTED_APPLY_MESSAGE_PREFIX.length,
          )} Some resources may have changed and others not: the environment ` +
          `is neither as it was nor as its code says.`,
        proposedFix:
          `Plan the environment again against its state as it is now (run ` +
          `its template again, or plan the code in ` +
          `${repositoryDirectory(context)}) and apply the new plan; before ` +
          `applying, look in account ${accountId} for resources the ` +
          `interrupted apply created after Terraform last wrote its state ` +
          `(a plan would create them again). The problem clears when an ` +
          `apply succeeds.`,
        runUrl: apply.link,
      }),
    ];
  }
  return [
    createProblem(context, {
      idSuffix: 'provisioning/apply-failed',
      area: 'provisioning',
      severity: 'high',
      title: `Last apply of ${name} failed`,
      explanation:
        `The Terraform apply of ${name} ${when(context, apply)}, started by ` +
        `${apply.actor} ${SOURCE_LABELS[apply.source]}, failed${
          apply.message ? `: ${apply.message}` : '.'
        } Terraform stops at the first error, so some resources may have ` +
        `changed and others not: the environment is neither as it was nor as ` +
        `its code says.`,
      proposedFix:
        `Open the run${
          apply.link ? ` (${apply.link})` : ''
        } and read the error; fix its cause (the code in ` +
        `${repositoryDirectory(context)}, or a resource, quota or permission ` +
        `in account ${accountId}); then plan again and apply the new plan. ` +
        `The problem clears when an apply succeeds.`,
      runUrl: apply.link,
    }),
  ];
}

/**
 * The latest drift check found that the resources differ from the code, and
 * no apply has succeeded since (an apply puts the resources back as the code
 * says, until the next check).
 */
export function detectDrift(context: RunRuleContext): Problem[] {
  const drift = latestRunOf(context.runs, 'drift');
  if (!drift) {
    return [];
  }
  const apply = latestRunOf(context.runs, 'apply');
  if (
    apply?.outcome === 'succeeded' &&
    timeOf(apply) >= timeOf(drift) &&
    drift.outcome === 'succeeded'
  ) {
    return [];
  }
  const { name } = context.environment;
  if (drift.outcome === 'failed') {
    return [
      createProblem(context, {
        idSuffix: 'provisioning/drift-check-failed',
        area: 'provisioning',
        severity: 'low',
        title: `Drift check of ${name} failed`,
        explanation:
          `The scheduled read-only plan of ${name} ${when(context, drift)} ` +
          `failed${
            drift.message ? `: ${drift.message}` : '.'
          } Until a check succeeds, changes made outside Terraform go unnoticed.`,
        proposedFix:
          `Read the error: it is usually the environment's code in ` +
          `${repositoryDirectory(
            context,
          )} (plan it from the portal to see the ` +
          `same error) or the portal's access to the state backend or to the ` +
          `account (kler.terraform.backendConfig, aws.accounts).`,
        runUrl: drift.link,
      }),
    ];
  }
  if (!hasChanges(drift.summary)) {
    return [];
  }
  return [
    createProblem(context, {
      idSuffix: 'provisioning/drift',
      area: 'provisioning',
      severity: severityForTier(context, 'medium', 'low'),
      title: `${name} differs from its code`,
      explanation:
        `The scheduled read-only plan of ${name} ${when(context, drift)} ` +
        `found that applying the code would make changes: ${describeRunSummary(
          drift.summary!,
        )}. Someone or something changed the resources outside Terraform, ` +
        `or code was merged and not applied.`,
      proposedFix:
        `If the difference is unwanted, plan and apply the environment's code ` +
        `(${repositoryDirectory(
          context,
        )}) to put the resources back; if it is ` +
        `wanted, change the code to match and apply that. Either way the next ` +
        `drift check then finds nothing.`,
      runUrl: drift.link,
    }),
  ];
}

export const runRules: RunRule[] = [detectFailedApply, detectDrift];
