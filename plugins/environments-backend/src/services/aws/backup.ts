import {
  BackupJob as AwsBackupJob,
  GetBackupPlanCommand,
  GetBackupSelectionCommand,
  ListBackupJobsCommand,
  ListBackupPlansCommand,
  ListBackupSelectionsCommand,
  ListProtectedResourcesByBackupVaultCommand,
  ListRecoveryPointsByBackupVaultCommand,
  BackupSelection,
  ConditionParameter,
  ProtectedResource as AwsProtectedResource,
  RecoveryPointByBackupVault,
} from '@aws-sdk/client-backup';
import {
  GetResourcesCommand,
  ResourceTagMapping,
} from '@aws-sdk/client-resource-groups-tagging-api';
import {
  BackupCandidate,
  BackupJob,
  BackupPlan,
  BackupSelectionCriteria,
  BackupState,
  BackupTagCondition,
  ProtectedResource,
  backupPlanSelects,
  backupSelectionTagKeys,
  parseBackupScheduleFrequencyHours,
} from '@kler/plugin-environments-common';
import { AwsReadMemory, Descriptions } from '../../caches/AwsReadMemory';
import { collectPages } from './concurrency';
import { ReadErrorCollector } from './readErrors';
import { isoTime } from './time';
import { ReadContext } from './types';

const BACKUP_JOBS_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
/** The tag that says which environment a resource belongs to. */
export const ENVIRONMENT_TAG_KEY = 'kler:environment';
/** Resource types that hold data and must therefore be backed up. */
export const BACKUP_CANDIDATE_RESOURCE_TYPES = [
  'elasticfilesystem:file-system',
  'rds:db',
];

/**
 * Reads the account's backup plans with their rules; `resourceArns` is filled
 * by readBackupSelections. A plan version never changes: GetBackupPlan is
 * called only for a version not described before.
 */
export async function readBackupPlans(
  ctx: ReadContext,
  known: Descriptions<BackupPlan>,
): Promise<BackupPlan[]> {
  const { clients, limit, sendOptions } = ctx;
  const planSummaries = await collectPages(async NextToken => {
    const page = await limit('ListBackupPlans', () =>
      clients.backup.send(
        new ListBackupPlansCommand({ NextToken }),
        sendOptions,
      ),
    );
    return { items: page.BackupPlansList, nextToken: page.NextToken };
  });

  const plans = await Promise.all(
    planSummaries.map(async summary => {
      const backupPlanId = summary.BackupPlanId ?? '';
      const versionKey = summary.VersionId
        ? `${backupPlanId}@${summary.VersionId}`
        : undefined;
      const described = versionKey ? known.get(versionKey) : undefined;
      if (described) {
        return { versionKey, plan: described };
      }
      const plan = await limit('GetBackupPlan', () =>
        clients.backup.send(
          new GetBackupPlanCommand({
            BackupPlanId: backupPlanId,
            VersionId: summary.VersionId,
          }),
          sendOptions,
        ),
      );
      const backupPlan: BackupPlan = {
        backupPlanId,
        backupPlanName:
          plan.BackupPlan?.BackupPlanName ?? summary.BackupPlanName ?? '',
        rules: (plan.BackupPlan?.Rules ?? []).map(rule => ({
          ruleName: rule.RuleName ?? '',
          scheduleExpression: rule.ScheduleExpression,
          frequencyHours: rule.ScheduleExpression
            ? parseBackupScheduleFrequencyHours(rule.ScheduleExpression)
            : undefined,
          retentionDays: rule.Lifecycle?.DeleteAfterDays,
          targetBackupVaultName: rule.TargetBackupVaultName ?? '',
        })),
        resourceArns: [],
      };
      if (versionKey) {
        known.set(versionKey, backupPlan);
      }
      return { versionKey, plan: backupPlan };
    }),
  );
  known.retainOnly(plans.flatMap(({ versionKey }) => versionKey ?? []));
  return plans.map(({ plan }) => plan);
}

/**
 * Reads each plan's selections (ARNs, tags and conditions), keyed by plan id.
 * A selection never changes (AWS replaces it with a new one):
 * GetBackupSelection is called only for a selection not described before.
 */
export async function readBackupSelections(
  { clients, limit, sendOptions }: ReadContext,
  backupPlanIds: string[],
  known: Descriptions<BackupSelectionCriteria>,
): Promise<Map<string, BackupSelectionCriteria[]>> {
  const selectionsByPlan = new Map<string, BackupSelectionCriteria[]>();
  const selectionKeys: string[] = [];
  await Promise.all(
    backupPlanIds.map(async backupPlanId => {
      const selections = await collectPages(async NextToken => {
        const page = await limit('ListBackupSelections', () =>
          clients.backup.send(
            new ListBackupSelectionsCommand({
              BackupPlanId: backupPlanId,
              NextToken,
            }),
            sendOptions,
          ),
        );
        return { items: page.BackupSelectionsList, nextToken: page.NextToken };
      });
      const criteria = await Promise.all(
        selections.map(async selection => {
          const key = `${backupPlanId}/${selection.SelectionId}`;
          selectionKeys.push(key);
          const described = known.get(key);
          if (described) {
            return described;
          }
          const output = await limit('GetBackupSelection', () =>
            clients.backup.send(
              new GetBackupSelectionCommand({
                BackupPlanId: backupPlanId,
                SelectionId: selection.SelectionId,
              }),
              sendOptions,
            ),
          );
          const read = selectionCriteria(output.BackupSelection);
          known.set(key, read);
          return read;
        }),
      );
      selectionsByPlan.set(backupPlanId, criteria);
    }),
  );
  known.retainOnly(selectionKeys);
  return selectionsByPlan;
}

const RESOURCE_TAG_PREFIX = 'aws:ResourceTag/';

function tagConditions(
  conditions: ConditionParameter[] | undefined,
): BackupTagCondition[] {
  return (conditions ?? []).flatMap(({ ConditionKey, ConditionValue }) =>
    ConditionKey && ConditionValue !== undefined
      ? [
          {
            key: ConditionKey.startsWith(RESOURCE_TAG_PREFIX)
              ? ConditionKey.slice(RESOURCE_TAG_PREFIX.length)
              : ConditionKey,
            value: ConditionValue,
          },
        ]
      : [],
  );
}

/** A selection as AWS Backup evaluates it (see BackupSelectionCriteria). */
export function selectionCriteria(
  selection: BackupSelection | undefined,
): BackupSelectionCriteria {
  return {
    resources: selection?.Resources ?? [],
    notResources: selection?.NotResources ?? [],
    anyOfTags: tagConditions(
      (selection?.ListOfTags ?? []).filter(
        tag => (tag.ConditionType ?? 'STRINGEQUALS') === 'STRINGEQUALS',
      ),
    ),
    conditions: {
      stringEquals: tagConditions(selection?.Conditions?.StringEquals),
      stringNotEquals: tagConditions(selection?.Conditions?.StringNotEquals),
      stringLike: tagConditions(selection?.Conditions?.StringLike),
      stringNotLike: tagConditions(selection?.Conditions?.StringNotLike),
    },
  };
}

/** Reads the resources that have recovery points in the vault. */
export async function readProtectedResources(
  { clients, limit, sendOptions }: ReadContext,
  vaultName: string,
): Promise<AwsProtectedResource[]> {
  return collectPages(async NextToken => {
    const page = await limit('ListProtectedResourcesByBackupVault', () =>
      clients.backup.send(
        new ListProtectedResourcesByBackupVaultCommand({
          BackupVaultName: vaultName,
          NextToken,
        }),
        sendOptions,
      ),
    );
    return { items: page.Results, nextToken: page.NextToken };
  });
}

/** Reads the creation time of each resource's latest completed recovery point in the vault. */
export async function readLatestRecoveryPoints(
  { clients, limit, sendOptions }: ReadContext,
  vaultName: string,
): Promise<Map<string, string>> {
  const points = await collectPages<RecoveryPointByBackupVault>(
    async NextToken => {
      const page = await limit('ListRecoveryPointsByBackupVault', () =>
        clients.backup.send(
          new ListRecoveryPointsByBackupVaultCommand({
            BackupVaultName: vaultName,
            NextToken,
          }),
          sendOptions,
        ),
      );
      return { items: page.RecoveryPoints, nextToken: page.NextToken };
    },
  );
  const latest = new Map<string, string>();
  for (const point of points) {
    if (
      point.Status !== 'COMPLETED' ||
      !point.ResourceArn ||
      !point.CreationDate
    ) {
      continue;
    }
    const createdAt = point.CreationDate.toISOString();
    const known = latest.get(point.ResourceArn);
    if (!known || known < createdAt) {
      latest.set(point.ResourceArn, createdAt);
    }
  }
  return latest;
}

/** Reads the account's backup jobs of the last 7 days, newest first. */
export async function readBackupJobs(ctx: ReadContext): Promise<BackupJob[]> {
  const { clients, limit, sendOptions, now } = ctx;
  const jobs = await collectPages<AwsBackupJob>(async NextToken => {
    const page = await limit('ListBackupJobs', () =>
      clients.backup.send(
        new ListBackupJobsCommand({
          ByCreatedAfter: new Date(now.getTime() - BACKUP_JOBS_WINDOW_MS),
          NextToken,
        }),
        sendOptions,
      ),
    );
    return { items: page.BackupJobs, nextToken: page.NextToken };
  });
  return jobs
    .map(job => ({
      backupJobId: job.BackupJobId ?? '',
      resourceArn: job.ResourceArn ?? '',
      resourceType: job.ResourceType,
      state: job.State ?? 'UNKNOWN',
      statusMessage: job.StatusMessage,
      creationDate: job.CreationDate?.toISOString() ?? '',
      completionDate: job.CompletionDate?.toISOString(),
      backupPlanId: job.CreatedBy?.BackupPlanId,
    }))
    .sort((a, b) => b.creationDate.localeCompare(a.creationDate));
}

/** Reads the environment's tagged resources that hold data (EFS, RDS). */
export async function readBackupCandidates(
  ctx: ReadContext,
): Promise<BackupCandidate[]> {
  const { clients, env, limit, sendOptions } = ctx;
  const mappings = await collectPages<ResourceTagMapping>(
    async PaginationToken => {
      const page = await limit('GetResources', () =>
        clients.tagging.send(
          new GetResourcesCommand({
            TagFilters: [{ Key: ENVIRONMENT_TAG_KEY, Values: [env.name] }],
            ResourceTypeFilters: BACKUP_CANDIDATE_RESOURCE_TYPES,
            PaginationToken,
          }),
          sendOptions,
        ),
      );
      return {
        items: page.ResourceTagMappingList,
        nextToken: page.PaginationToken,
      };
    },
  );
  return mappings.flatMap(mapping => {
    const resourceArn = mapping.ResourceARN;
    if (!resourceArn) {
      return [];
    }
    const tags = Object.fromEntries(
      (mapping.Tags ?? []).flatMap(({ Key, Value }) =>
        Key ? [[Key, Value ?? '']] : [],
      ),
    );
    return [
      {
        resourceArn,
        resourceType: backupResourceTypeFromArn(resourceArn),
        resourceName: tags.Name ?? resourceArn.split(/[:/]/).pop(),
        tags,
      },
    ];
  });
}

/** The AWS Backup resource type (`EFS`, `RDS`, ...) of a resource ARN. */
export function backupResourceTypeFromArn(arn: string): string {
  const service = arn.split(':')[2] ?? '';
  switch (service) {
    case 'elasticfilesystem':
      return 'EFS';
    case 'rds':
      return 'RDS';
    case 'dynamodb':
      return 'DynamoDB';
    case 'ec2':
      return 'EC2';
    case 's3':
      return 'S3';
    default:
      return service;
  }
}

/** The vault's protected resources and latest recovery points, as of the jobs completed then. */
interface VaultContents {
  protectedResources?: AwsProtectedResource[];
  latestRecoveryPoints?: Map<string, string>;
  /** The ids of the jobs completed when the vault was read. */
  completedJobs: string;
  /** False when a listing failed: what was read is shown, and read again next time. */
  complete: boolean;
}

/**
 * Reads the backup area part by part, each at its cadence: the jobs every
 * refresh; the vault's protected resources and recovery points again only when
 * a job completed since they were read (only a backup job adds a recovery
 * point); plans, selections and candidates as configuration. A part that fails
 * is a read error of the area and leaves the others to judge.
 */
export async function readBackupArea(
  ctx: ReadContext,
  memory: AwsReadMemory,
  errors: ReadErrorCollector,
): Promise<BackupState | undefined> {
  const vaultName = ctx.env.backupVault;
  const plansRead = memory.reuseOrRead('backupPlans', () =>
    errors.capture('backup', 'Backup plans', () =>
      readBackupPlans(ctx, memory.descriptions('backupPlanVersions')),
    ),
  );
  const selectionsRead = plansRead.then(plans => {
    if (!plans) {
      return undefined;
    }
    const planIds = plans.map(plan => plan.backupPlanId);
    const known =
      memory.fresh<Map<string, BackupSelectionCriteria[]>>('backupSelections');
    // Selections fail alone: the plans' rules are still worth judging.
    return memory.reuseOrRead(
      'backupSelections',
      () =>
        errors.capture('backup', 'Backup selections', () =>
          readBackupSelections(
            ctx,
            planIds,
            memory.descriptions('backupSelections'),
          ),
        ),
      { changed: !known || planIds.some(id => !known.has(id)) },
    );
  });
  const jobsRead = errors.capture('backup', 'ListBackupJobs', () =>
    readBackupJobs(ctx),
  );
  const vaultRead = vaultName
    ? jobsRead.then(jobs => {
        const completedJobs = (jobs ?? [])
          .filter(job => job.state === 'COMPLETED')
          .map(job => job.backupJobId)
          .sort()
          .join(',');
        const known = memory.fresh<VaultContents>('backupVault');
        return memory.reuseOrRead(
          'backupVault',
          () => readVault(ctx, vaultName, completedJobs, errors),
          {
            changed: !known || known.completedJobs !== completedJobs,
            keep: contents => contents.complete,
          },
        );
      })
    : Promise.resolve<VaultContents>({
        protectedResources: [],
        latestRecoveryPoints: new Map(),
        completedJobs: '',
        complete: true,
      });
  const candidatesRead = memory.reuseOrRead('backupCandidates', () =>
    errors.capture('backup', 'GetResources', () => readBackupCandidates(ctx)),
  );
  const [plans, selections, jobs, vault, candidates] = await Promise.all([
    plansRead,
    selectionsRead,
    jobsRead,
    vaultRead,
    candidatesRead,
  ]);

  if (
    [
      plans,
      jobs,
      vault?.protectedResources,
      vault?.latestRecoveryPoints,
      candidates,
    ].every(part => part === undefined)
  ) {
    return undefined;
  }

  const plansWithResources: BackupPlan[] = (plans ?? []).map(plan => {
    const planSelections = selections?.get(plan.backupPlanId);
    return {
      ...plan,
      resourceArns: [
        ...new Set((planSelections ?? []).flatMap(s => s.resources)),
      ],
      // Unread selections: judged by no criteria rather than by none selecting.
      selections: planSelections,
    };
  });
  // Only the tags the selections test are kept with the candidates.
  const testedTags = backupSelectionTagKeys(plansWithResources);
  const candidatesWithTestedTags = (candidates ?? []).map(candidate => ({
    ...candidate,
    tags: Object.fromEntries(
      Object.entries(candidate.tags ?? {}).filter(([key]) =>
        testedTags.has(key),
      ),
    ),
  }));
  const tagsByResource = new Map(
    candidatesWithTestedTags.map(c => [c.resourceArn, c.tags]),
  );
  const planIdOf = (resourceArn: string) =>
    plansWithResources.find(plan =>
      backupPlanSelects(plan, {
        resourceArn,
        tags: tagsByResource.get(resourceArn),
      }),
    )?.backupPlanId;
  const resources: ProtectedResource[] = (vault?.protectedResources ?? []).map(
    resource => {
      const resourceArn = resource.ResourceArn ?? '';
      return {
        resourceArn,
        resourceType: resource.ResourceType ?? '',
        resourceName: resource.ResourceName,
        lastBackupTime: isoTime(resource.LastBackupTime),
        latestRecoveryPointAt: vault?.latestRecoveryPoints?.get(resourceArn),
        backupPlanId: planIdOf(resourceArn),
      };
    },
  );

  return {
    vaultName,
    plans: plansWithResources,
    protectedResources: resources,
    jobs: jobs ?? [],
    candidates: candidatesWithTestedTags,
  };
}

/** The vault's contents; a listing that failed is left out, and noted. */
async function readVault(
  ctx: ReadContext,
  vaultName: string,
  completedJobs: string,
  errors: ReadErrorCollector,
): Promise<VaultContents> {
  const [protectedResources, latestRecoveryPoints] = await Promise.all([
    errors.capture('backup', 'ListProtectedResourcesByBackupVault', () =>
      readProtectedResources(ctx, vaultName),
    ),
    errors.capture('backup', 'ListRecoveryPointsByBackupVault', () =>
      readLatestRecoveryPoints(ctx, vaultName),
    ),
  ]);
  return {
    protectedResources,
    latestRecoveryPoints,
    completedJobs,
    complete: Boolean(protectedResources && latestRecoveryPoints),
  };
}
