import {
  BackupJob as AwsBackupJob,
  GetBackupPlanCommand,
  GetBackupSelectionCommand,
  ListBackupJobsCommand,
  ListBackupPlansCommand,
  ListBackupSelectionsCommand,
  ListProtectedResourcesByBackupVaultCommand,
  ListRecoveryPointsByBackupVaultCommand,
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
  parseBackupScheduleFrequencyHours,
} from '@kler/plugin-environments-common';
import { collectPages } from './concurrency';
import { ReadContext } from './types';

const BACKUP_JOBS_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
/** The tag that says which environment a resource belongs to. */
export const ENVIRONMENT_TAG_KEY = 'kler:environment';
/** Resource types that hold data and must therefore be backed up. */
export const BACKUP_CANDIDATE_RESOURCE_TYPES = [
  'elasticfilesystem:file-system',
  'rds:db',
];

/** Reads the account's backup plans with their rules; `resourceArns` is filled by readBackupSelections. */
export async function readBackupPlans(ctx: ReadContext): Promise<BackupPlan[]> {
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

  return Promise.all(
    planSummaries.map(async summary => {
      const backupPlanId = summary.BackupPlanId ?? '';
      const plan = await limit('GetBackupPlan', () =>
        clients.backup.send(
          new GetBackupPlanCommand({ BackupPlanId: backupPlanId }),
          sendOptions,
        ),
      );
      return {
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
    }),
  );
}

/** Reads the resources each plan's selections name, keyed by plan id. */
export async function readBackupSelections(
  { clients, limit, sendOptions }: ReadContext,
  backupPlanIds: string[],
): Promise<Map<string, string[]>> {
  const resourcesByPlan = new Map<string, string[]>();
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
      const selectedResources = await Promise.all(
        selections.map(async selection => {
          const output = await limit('GetBackupSelection', () =>
            clients.backup.send(
              new GetBackupSelectionCommand({
                BackupPlanId: backupPlanId,
                SelectionId: selection.SelectionId,
              }),
              sendOptions,
            ),
          );
          return output.BackupSelection?.Resources ?? [];
        }),
      );
      resourcesByPlan.set(backupPlanId, [...new Set(selectedResources.flat())]);
    }),
  );
  return resourcesByPlan;
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
    const nameTag = mapping.Tags?.find(tag => tag.Key === 'Name')?.Value;
    return [
      {
        resourceArn,
        resourceType: backupResourceTypeFromArn(resourceArn),
        resourceName: nameTag ?? resourceArn.split(/[:/]/).pop(),
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
