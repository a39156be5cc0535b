import { AwsError } from '../errors';
import type {
  OperationContext,
  RestInput,
  ServiceDefinition,
} from '../protocols/types';
import type { BackupPlanSpec } from '../scenario/schema';
import {
  backupJobs,
  BackupJobRun,
  recoveryPoints,
  scheduledRuns,
} from '../world/backups';
import type { EnvironmentWorld } from '../world/simulation';
import { CREATED_AT, DAY } from '../world/time';
import { paginate } from './paging';

const INVALID = 'InvalidParameterValueException';
const LIMITS = { defaultSize: 1000, maxSize: 1000, errorCode: INVALID };

type Ctx = OperationContext<RestInput>;

function notFound(message: string): AwsError {
  return new AwsError('ResourceNotFoundException', message, 400);
}

function vaultWorld(ctx: Ctx): EnvironmentWorld {
  const name = ctx.input.path.BackupVaultName;
  const world = ctx.world.byVault(ctx.account, ctx.region, name);
  if (!world) throw notFound(`Backup vault ${name} does not exist`);
  return world;
}

function findPlan(ctx: Ctx): { world: EnvironmentWorld; plan: BackupPlanSpec } {
  const id = ctx.input.path.BackupPlanId;
  for (const world of ctx.world.in(ctx.account, ctx.region)) {
    const plan = world.spec.backupPlans.find(
      p => world.names.backupPlanId(p.name) === id,
    );
    if (plan) return { world, plan };
  }
  throw notFound(
    `Failed reading Backup plan with provided version. BackupPlanId: ${id}`,
  );
}

function page<T>(ctx: Ctx, items: T[]) {
  return paginate(
    items,
    ctx.input.query.get('nextToken'),
    ctx.input.query.get('maxResults'),
    LIMITS,
  );
}

function lastExecution(plan: BackupPlanSpec, now: number) {
  const runs = plan.rules.flatMap(rule =>
    scheduledRuns(rule, now - 2 * DAY, now),
  );
  return runs.length ? new Date(Math.max(...runs)) : undefined;
}

function timeQuery(ctx: Ctx, name: string): number | undefined {
  const value = ctx.input.query.get(name);
  if (value === null) return undefined;
  const time = /^\d+(\.\d+)?$/.test(value)
    ? Number(value) * 1000
    : Date.parse(value);
  if (Number.isNaN(time))
    throw new AwsError(INVALID, `Invalid timestamp for ${name}: ${value}`);
  return time;
}

function resourceTypeName(type: 'efs' | 'rds') {
  return type === 'efs' ? 'EFS' : 'RDS';
}

function jobShape(world: EnvironmentWorld, job: BackupJobRun) {
  const { names } = world;
  return {
    AccountId: world.spec.account,
    BackupJobId: job.jobId,
    BackupVaultName: world.spec.vault,
    BackupVaultArn: names.vaultArn(),
    RecoveryPointArn:
      job.state === 'FAILED'
        ? undefined
        : names.recoveryPointArn(job.resource, job.jobId),
    ResourceArn: names.resourceArn(job.resource),
    CreationDate: new Date(job.createdAt),
    CompletionDate:
      job.completedAt === undefined ? undefined : new Date(job.completedAt),
    State: job.state,
    StatusMessage: job.message,
    PercentDone: String(job.percentDone),
    BackupSizeInBytes: job.sizeBytes,
    IamRoleArn: names.backupRoleArn(),
    CreatedBy: {
      BackupPlanId: names.backupPlanId(job.plan.name),
      BackupPlanArn: names.backupPlanArn(job.plan.name),
      BackupPlanVersion: names.backupPlanVersion(job.plan.name),
      BackupRuleId: names.backupRuleId(job.plan.name, job.rule.name),
    },
    ExpectedCompletionDate: new Date(
      job.createdAt + job.rule.completionWindowMinutes * 60000,
    ),
    StartBy: new Date(job.scheduledAt + job.rule.startWindowMinutes * 60000),
    ResourceType: resourceTypeName(job.resource.type),
    BytesTransferred: job.sizeBytes,
    BackupOptions: {},
    BackupType: '',
    IsParent: false,
    ResourceName: job.resource.name,
  };
}

export const backup: ServiceDefinition = {
  id: 'backup',
  protocol: 'restJson',
  errors: {
    validation: INVALID,
    throttling: 'ThrottlingException',
    throttlingStatus: 400,
    accessDenied: 'AccessDeniedException',
    accessDeniedStatus: 403,
  },
  routes: [
    { method: 'GET', path: '/backup/plans', operation: 'ListBackupPlans' },
    {
      method: 'GET',
      path: '/backup/plans/{BackupPlanId}',
      operation: 'GetBackupPlan',
    },
    {
      method: 'GET',
      path: '/backup/plans/{BackupPlanId}/selections',
      operation: 'ListBackupSelections',
    },
    {
      method: 'GET',
      path: '/backup/plans/{BackupPlanId}/selections/{SelectionId}',
      operation: 'GetBackupSelection',
    },
    {
      method: 'GET',
      path: '/backup-vaults/{BackupVaultName}/resources',
      operation: 'ListProtectedResourcesByBackupVault',
    },
    {
      method: 'GET',
      path: '/backup-vaults/{BackupVaultName}/recovery-points',
      operation: 'ListRecoveryPointsByBackupVault',
    },
    { method: 'GET', path: '/backup-jobs', operation: 'ListBackupJobs' },
  ],
  operations: {
    ListBackupPlans: (ctx: Ctx) => {
      const plans = ctx.world
        .in(ctx.account, ctx.region)
        .flatMap(world =>
          world.spec.backupPlans.map(plan => ({ world, plan })),
        );
      const { page: items, nextToken } = page(ctx, plans);
      return {
        BackupPlansList: items.map(({ world, plan }) => ({
          BackupPlanArn: world.names.backupPlanArn(plan.name),
          BackupPlanId: world.names.backupPlanId(plan.name),
          CreationDate: new Date(CREATED_AT),
          VersionId: world.names.backupPlanVersion(plan.name),
          BackupPlanName: plan.name,
          LastExecutionDate: lastExecution(plan, ctx.now),
          AdvancedBackupSettings: [],
        })),
        NextToken: nextToken,
      };
    },

    GetBackupPlan: (ctx: Ctx) => {
      const { world, plan } = findPlan(ctx);
      return {
        BackupPlan: {
          BackupPlanName: plan.name,
          Rules: plan.rules.map(rule => ({
            RuleName: rule.name,
            TargetBackupVaultName: world.spec.vault,
            ScheduleExpression: rule.schedule,
            ScheduleExpressionTimezone: 'Etc/UTC',
            StartWindowMinutes: rule.startWindowMinutes,
            CompletionWindowMinutes: rule.completionWindowMinutes,
            Lifecycle: {
              DeleteAfterDays: rule.deleteAfterDays,
              OptInToArchiveForSupportedResources: false,
            },
            RuleId: world.names.backupRuleId(plan.name, rule.name),
            EnableContinuousBackup: false,
          })),
          AdvancedBackupSettings: [],
        },
        BackupPlanId: world.names.backupPlanId(plan.name),
        BackupPlanArn: world.names.backupPlanArn(plan.name),
        VersionId: world.names.backupPlanVersion(plan.name),
        CreationDate: new Date(CREATED_AT),
        LastExecutionDate: lastExecution(plan, ctx.now),
      };
    },

    ListBackupSelections: (ctx: Ctx) => {
      const { world, plan } = findPlan(ctx);
      const { page: items, nextToken } = page(ctx, plan.selections);
      return {
        BackupSelectionsList: items.map(selection => ({
          SelectionId: world.names.backupSelectionId(plan.name, selection.name),
          SelectionName: selection.name,
          BackupPlanId: world.names.backupPlanId(plan.name),
          CreationDate: new Date(CREATED_AT),
          IamRoleArn: world.names.backupRoleArn(),
        })),
        NextToken: nextToken,
      };
    },

    GetBackupSelection: (ctx: Ctx) => {
      const { world, plan } = findPlan(ctx);
      const selection = plan.selections.find(
        s =>
          world.names.backupSelectionId(plan.name, s.name) ===
          ctx.input.path.SelectionId,
      );
      if (!selection)
        throw notFound(
          `Backup selection ${ctx.input.path.SelectionId} does not exist`,
        );
      return {
        BackupSelection: {
          SelectionName: selection.name,
          IamRoleArn: world.names.backupRoleArn(),
          Resources: selection.resources.map(name =>
            world.names.resourceArn(
              world.spec.resources.find(r => r.name === name)!,
            ),
          ),
          ListOfTags: selection.tag
            ? [
                {
                  ConditionType: 'STRINGEQUALS',
                  ConditionKey: selection.tag.key,
                  ConditionValue: selection.tag.value,
                },
              ]
            : [],
          NotResources: [],
          Conditions: {
            StringEquals: [],
            StringNotEquals: [],
            StringLike: [],
            StringNotLike: [],
          },
        },
        SelectionId: world.names.backupSelectionId(plan.name, selection.name),
        BackupPlanId: world.names.backupPlanId(plan.name),
        CreationDate: new Date(CREATED_AT),
      };
    },

    ListProtectedResourcesByBackupVault: (ctx: Ctx) => {
      const world = vaultWorld(ctx);
      const latest = new Map<string, BackupJobRun>();
      for (const point of recoveryPoints(world, ctx.now))
        latest.set(point.resource.name, point);
      const { page: items, nextToken } = page(ctx, [...latest.values()]);
      return {
        Results: items.map(point => ({
          ResourceArn: world.names.resourceArn(point.resource),
          ResourceType: resourceTypeName(point.resource.type),
          LastBackupTime: new Date(point.createdAt),
          ResourceName: point.resource.name,
          LastBackupVaultArn: world.names.vaultArn(),
          LastRecoveryPointArn: world.names.recoveryPointArn(
            point.resource,
            point.jobId,
          ),
        })),
        NextToken: nextToken,
      };
    },

    ListRecoveryPointsByBackupVault: (ctx: Ctx) => {
      const world = vaultWorld(ctx);
      const after = timeQuery(ctx, 'createdAfter');
      const before = timeQuery(ctx, 'createdBefore');
      const resourceArn = ctx.input.query.get('resourceArn');
      const points = recoveryPoints(world, ctx.now)
        .filter(
          p =>
            (after === undefined || p.createdAt >= after) &&
            (before === undefined || p.createdAt <= before) &&
            (!resourceArn ||
              world.names.resourceArn(p.resource) === resourceArn),
        )
        .reverse();
      const { page: items, nextToken } = page(ctx, points);
      return {
        RecoveryPoints: items.map(point => ({
          RecoveryPointArn: world.names.recoveryPointArn(
            point.resource,
            point.jobId,
          ),
          BackupVaultName: world.spec.vault,
          BackupVaultArn: world.names.vaultArn(),
          ResourceArn: world.names.resourceArn(point.resource),
          ResourceType: resourceTypeName(point.resource.type),
          CreatedBy: {
            BackupPlanId: world.names.backupPlanId(point.plan.name),
            BackupPlanArn: world.names.backupPlanArn(point.plan.name),
            BackupPlanVersion: world.names.backupPlanVersion(point.plan.name),
            BackupRuleId: world.names.backupRuleId(
              point.plan.name,
              point.rule.name,
            ),
          },
          IamRoleArn: world.names.backupRoleArn(),
          Status: 'COMPLETED',
          CreationDate: new Date(point.createdAt),
          CompletionDate: new Date(point.completedAt!),
          BackupSizeInBytes: point.sizeBytes,
          CalculatedLifecycle: {
            DeleteAt: new Date(
              point.createdAt + point.rule.deleteAfterDays * DAY,
            ),
          },
          Lifecycle: {
            DeleteAfterDays: point.rule.deleteAfterDays,
            OptInToArchiveForSupportedResources: false,
          },
          EncryptionKeyArn: `arn:aws:kms:${world.spec.region}:${
            world.spec.account
          }:key/${world.names.backupPlanId('kms')}`,
          IsEncrypted: true,
          ResourceName: point.resource.name,
          IsParent: false,
          VaultType: 'BACKUP_VAULT',
        })),
        NextToken: nextToken,
      };
    },

    ListBackupJobs: (ctx: Ctx) => {
      const after = timeQuery(ctx, 'createdAfter');
      const before = timeQuery(ctx, 'createdBefore');
      const state = ctx.input.query.get('state');
      const vault = ctx.input.query.get('backupVaultName');
      const resourceArn = ctx.input.query.get('resourceArn');
      const resourceType = ctx.input.query.get('resourceType');
      const jobs = ctx.world
        .in(ctx.account, ctx.region)
        .filter(world => !vault || world.spec.vault === vault)
        .flatMap(world =>
          backupJobs(world, ctx.now).map(job => ({ world, job })),
        )
        .filter(
          ({ world, job }) =>
            (after === undefined || job.createdAt >= after) &&
            (before === undefined || job.createdAt <= before) &&
            (!state || job.state === state) &&
            (!resourceArn ||
              world.names.resourceArn(job.resource) === resourceArn) &&
            (!resourceType ||
              resourceTypeName(job.resource.type) === resourceType),
        )
        .reverse();
      const { page: items, nextToken } = page(ctx, jobs);
      return {
        BackupJobs: items.map(({ world, job }) => jobShape(world, job)),
        NextToken: nextToken,
      };
    },
  },
};
