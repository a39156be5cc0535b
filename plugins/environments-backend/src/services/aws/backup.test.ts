import {
  GetBackupPlanCommand,
  GetBackupSelectionCommand,
  ListBackupJobsCommand,
  ListBackupPlansCommand,
  ListBackupSelectionsCommand,
  ListProtectedResourcesByBackupVaultCommand,
  ListRecoveryPointsByBackupVaultCommand,
} from '@aws-sdk/client-backup';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import {
  NOW,
  accessDenied,
  backup,
  clearAwsCalls,
  createReader,
  env,
  minutesAgo,
  mockServices,
  tagging,
  useAwsMocks,
} from '../../__testUtils__/awsMocks';

useAwsMocks();

describe('AwsEnvironmentReader: backup', () => {
  const efsArn =
    'arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/fs-shop-media';
  const rdsArn = 'arn:aws:rds:eu-west-1:222222222222:db:shop-database';

  function mockBackup() {
    backup.on(ListBackupPlansCommand).callsFake(input =>
      input.NextToken
        ? {
            BackupPlansList: [
              { BackupPlanId: 'plan-2', BackupPlanName: 'weekly' },
            ],
          }
        : {
            BackupPlansList: [
              { BackupPlanId: 'plan-1', BackupPlanName: 'daily' },
            ],
            NextToken: 'plans-2',
          },
    );
    backup.on(GetBackupPlanCommand).callsFake(input => ({
      BackupPlanId: input.BackupPlanId,
      BackupPlan: {
        BackupPlanName: input.BackupPlanId === 'plan-1' ? 'daily' : 'weekly',
        Rules: [
          {
            RuleName: 'rule',
            TargetBackupVaultName: 'kler-production',
            ScheduleExpression:
              input.BackupPlanId === 'plan-1'
                ? 'cron(0 5 ? * * *)'
                : 'cron(0 5 ? * SUN *)',
            Lifecycle: { DeleteAfterDays: 35 },
          },
        ],
      },
    }));
    backup.on(ListBackupSelectionsCommand).callsFake(input => ({
      BackupSelectionsList:
        input.BackupPlanId === 'plan-1'
          ? [{ SelectionId: 'selection-1', BackupPlanId: 'plan-1' }]
          : [],
    }));
    backup.on(GetBackupSelectionCommand).resolves({
      BackupSelection: {
        SelectionName: 'data',
        IamRoleArn: 'arn:role',
        Resources: [efsArn],
      },
    });
    backup.on(ListProtectedResourcesByBackupVaultCommand).resolves({
      Results: [
        {
          ResourceArn: efsArn,
          ResourceType: 'EFS',
          ResourceName: 'shop-media',
          LastBackupTime: minutesAgo(300),
        },
      ],
    });
    backup.on(ListRecoveryPointsByBackupVaultCommand).resolves({
      RecoveryPoints: [
        {
          ResourceArn: efsArn,
          Status: 'COMPLETED',
          CreationDate: minutesAgo(1740),
        },
        {
          ResourceArn: efsArn,
          Status: 'COMPLETED',
          CreationDate: minutesAgo(300),
        },
        {
          ResourceArn: efsArn,
          Status: 'PARTIAL',
          CreationDate: minutesAgo(10),
        },
      ],
    });
    backup.on(ListBackupJobsCommand).callsFake(input =>
      input.NextToken
        ? {
            BackupJobs: [
              {
                BackupJobId: 'job-new',
                ResourceArn: rdsArn,
                ResourceType: 'RDS',
                State: 'FAILED',
                StatusMessage: 'Access denied to KMS key',
                CreationDate: minutesAgo(60),
              },
            ],
          }
        : {
            BackupJobs: [
              {
                BackupJobId: 'job-old',
                ResourceArn: efsArn,
                ResourceType: 'EFS',
                State: 'COMPLETED',
                CreationDate: minutesAgo(300),
                CompletionDate: minutesAgo(290),
                CreatedBy: { BackupPlanId: 'plan-1' },
              },
            ],
            NextToken: 'jobs-2',
          },
    );
    tagging.on(GetResourcesCommand).callsFake(input =>
      input.PaginationToken
        ? { ResourceTagMappingList: [{ ResourceARN: rdsArn, Tags: [] }] }
        : {
            ResourceTagMappingList: [
              {
                ResourceARN: efsArn,
                Tags: [{ Key: 'Name', Value: 'shop-media' }],
              },
            ],
            PaginationToken: 'tagged-2',
          },
    );
  }

  it('reads plans, selections, protected resources, recovery points, jobs and candidates', async () => {
    mockBackup();
    const snapshot = await createReader().read(env);

    expect(backup).toHaveReceivedCommandWith(ListBackupJobsCommand, {
      ByCreatedAfter: new Date(NOW.getTime() - 7 * 24 * 60 * 60 * 1000),
    });
    expect(backup).toHaveReceivedCommandWith(
      ListProtectedResourcesByBackupVaultCommand,
      { BackupVaultName: 'kler-production' },
    );
    expect(tagging).toHaveReceivedCommandWith(GetResourcesCommand, {
      TagFilters: [{ Key: 'kler:environment', Values: ['production'] }],
      ResourceTypeFilters: ['elasticfilesystem:file-system', 'rds:db'],
    });
    expect(tagging).toHaveReceivedCommandTimes(GetResourcesCommand, 2);
    expect(snapshot.readErrors).toEqual([]);
    expect(snapshot.backup).toEqual({
      vaultName: 'kler-production',
      plans: [
        {
          backupPlanId: 'plan-1',
          backupPlanName: 'daily',
          rules: [
            {
              ruleName: 'rule',
              scheduleExpression: 'cron(0 5 ? * * *)',
              frequencyHours: 24,
              retentionDays: 35,
              targetBackupVaultName: 'kler-production',
            },
          ],
          resourceArns: [efsArn],
          selections: [
            {
              resources: [efsArn],
              notResources: [],
              anyOfTags: [],
              conditions: {
                stringEquals: [],
                stringNotEquals: [],
                stringLike: [],
                stringNotLike: [],
              },
            },
          ],
        },
        {
          backupPlanId: 'plan-2',
          backupPlanName: 'weekly',
          rules: [
            expect.objectContaining({
              scheduleExpression: 'cron(0 5 ? * SUN *)',
              frequencyHours: 168,
            }),
          ],
          resourceArns: [],
          selections: [],
        },
      ],
      protectedResources: [
        {
          resourceArn: efsArn,
          resourceType: 'EFS',
          resourceName: 'shop-media',
          lastBackupTime: minutesAgo(300).toISOString(),
          latestRecoveryPointAt: minutesAgo(300).toISOString(),
          backupPlanId: 'plan-1',
        },
      ],
      jobs: [
        expect.objectContaining({ backupJobId: 'job-new', state: 'FAILED' }),
        expect.objectContaining({
          backupJobId: 'job-old',
          backupPlanId: 'plan-1',
        }),
      ],
      candidates: [
        {
          resourceArn: efsArn,
          resourceType: 'EFS',
          resourceName: 'shop-media',
          tags: {},
        },
        {
          resourceArn: rdsArn,
          resourceType: 'RDS',
          resourceName: 'shop-database',
          tags: {},
        },
      ],
    });
  });

  it("reads a selection's tags and conditions, and keeps with the candidates only the tags they test", async () => {
    mockBackup();
    backup.on(GetBackupSelectionCommand).resolves({
      BackupSelection: {
        SelectionName: 'tagged',
        IamRoleArn: 'arn:role',
        Resources: ['*'],
        NotResources: [rdsArn],
        ListOfTags: [
          {
            ConditionType: 'STRINGEQUALS',
            ConditionKey: 'backup',
            ConditionValue: 'daily',
          },
        ],
        Conditions: {
          StringEquals: [
            {
              ConditionKey: 'aws:ResourceTag/kler:backup',
              ConditionValue: 'true',
            },
          ],
          StringLike: [
            {
              ConditionKey: 'aws:ResourceTag/kler:environment',
              ConditionValue: 'prod*',
            },
          ],
        },
      },
    });
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [
        {
          ResourceARN: efsArn,
          Tags: [
            { Key: 'Name', Value: 'shop-media' },
            { Key: 'kler:environment', Value: 'production' },
            { Key: 'kler:backup', Value: 'true' },
            { Key: 'cost-centre', Value: 'shop' },
          ],
        },
      ],
    });
    const snapshot = await createReader().read(env);
    const plan = snapshot.backup!.plans[0];
    expect(plan.selections).toEqual([
      {
        resources: ['*'],
        notResources: [rdsArn],
        anyOfTags: [{ key: 'backup', value: 'daily' }],
        conditions: {
          stringEquals: [{ key: 'kler:backup', value: 'true' }],
          stringNotEquals: [],
          stringLike: [{ key: 'kler:environment', value: 'prod*' }],
          stringNotLike: [],
        },
      },
    ]);
    expect(snapshot.backup!.candidates).toEqual([
      {
        resourceArn: efsArn,
        resourceType: 'EFS',
        resourceName: 'shop-media',
        tags: { 'kler:environment': 'production', 'kler:backup': 'true' },
      },
    ]);
    // Selected by the tags: the vault's resource belongs to plan-1.
    expect(snapshot.backup!.protectedResources[0].backupPlanId).toBe('plan-1');
  });

  it('reports AccessDenied on Backup as a read error of the backup area and keeps the rest', async () => {
    mockServices(['shop-api']);
    backup
      .on(ListBackupPlansCommand)
      .rejects(accessDenied('backup:ListBackupPlans'));
    backup
      .on(ListProtectedResourcesByBackupVaultCommand)
      .rejects(accessDenied('backup:ListProtectedResourcesByBackupVault'));
    backup
      .on(ListRecoveryPointsByBackupVaultCommand)
      .rejects(accessDenied('backup:ListRecoveryPointsByBackupVault'));
    backup
      .on(ListBackupJobsCommand)
      .rejects(accessDenied('backup:ListBackupJobs'));
    tagging.on(GetResourcesCommand).rejects(accessDenied('tag:GetResources'));

    const snapshot = await createReader().read(env);

    expect(snapshot.backup).toBeUndefined();
    expect(snapshot.readErrors).toEqual([
      {
        area: 'backup',
        name: 'AccessDeniedException',
        message: expect.stringContaining('backup:ListBackupJobs'),
      },
    ]);
    expect(snapshot.services.map(s => s.serviceName)).toEqual(['shop-api']);
    expect(snapshot.wellArchitected?.workloadName).toBe('KLER production');
  });

  it('keeps the readable parts of the backup area when one call fails', async () => {
    mockBackup();
    backup.on(ListBackupJobsCommand).rejects(
      Object.assign(new Error('Not implemented'), {
        name: 'NotImplementedError',
      }),
    );

    const snapshot = await createReader().read(env);

    expect(snapshot.backup?.plans).toHaveLength(2);
    expect(snapshot.backup?.jobs).toEqual([]);
    expect(snapshot.backup?.candidates).toHaveLength(2);
    expect(snapshot.readErrors).toEqual([
      {
        area: 'backup',
        name: 'NotImplementedError',
        message: 'ListBackupJobs: Not implemented',
      },
    ]);
  });

  it('reads no vault when the environment names none', async () => {
    const { backupVault: _vault, ...withoutVault } = env;
    await createReader().read(withoutVault);
    expect(backup).not.toHaveReceivedCommand(
      ListProtectedResourcesByBackupVaultCommand,
    );
    expect(backup).not.toHaveReceivedCommand(
      ListRecoveryPointsByBackupVaultCommand,
    );
    expect(backup).toHaveReceivedCommand(ListBackupPlansCommand);
  });
});

describe('AwsEnvironmentReader: backup between configuration reads', () => {
  const efsArn =
    'arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/fs-media';
  let jobs: Array<{ BackupJobId: string; State: 'RUNNING' | 'COMPLETED' }>;

  beforeEach(() => {
    jobs = [{ BackupJobId: 'job-1', State: 'COMPLETED' }];
    backup.on(ListBackupPlansCommand).callsFake(() => ({
      BackupPlansList: [{ BackupPlanId: 'plan-1', VersionId: 'v1' }],
    }));
    backup.on(GetBackupPlanCommand).resolves({
      BackupPlan: { BackupPlanName: 'daily', Rules: [] },
    });
    backup.on(ListBackupSelectionsCommand).resolves({
      BackupSelectionsList: [{ SelectionId: 'selection-1' }],
    });
    backup.on(GetBackupSelectionCommand).resolves({
      BackupSelection: {
        SelectionName: 'all',
        IamRoleArn: 'arn:role',
        Resources: [efsArn],
      },
    });
    backup.on(ListBackupJobsCommand).callsFake(() => ({
      BackupJobs: jobs.map(job => ({
        ...job,
        ResourceArn: efsArn,
        CreationDate: minutesAgo(60),
      })),
    }));
  });

  it('reads the vault again only when a backup job completed since', async () => {
    const reader = createReader();
    await reader.read(env);

    clearAwsCalls();
    jobs.push({ BackupJobId: 'job-2', State: 'RUNNING' });
    await reader.read(env);
    expect(backup).toHaveReceivedCommandTimes(ListBackupJobsCommand, 1);
    expect(backup).not.toHaveReceivedCommand(
      ListRecoveryPointsByBackupVaultCommand,
    );
    expect(backup).not.toHaveReceivedCommand(
      ListProtectedResourcesByBackupVaultCommand,
    );

    clearAwsCalls();
    jobs[1].State = 'COMPLETED';
    await reader.read(env);
    expect(backup).toHaveReceivedCommandTimes(
      ListRecoveryPointsByBackupVaultCommand,
      1,
    );
    expect(backup).toHaveReceivedCommandTimes(
      ListProtectedResourcesByBackupVaultCommand,
      1,
    );
  });

  it('describes a plan version and a selection once, and a new version again', async () => {
    let now = new Date('2026-11-26T12:00:00.000Z');
    const reader = createReader({
      now: () => now,
      configurationMaxAgeMs: 60_000,
    });
    await reader.read(env);

    clearAwsCalls();
    now = new Date(now.getTime() + 60_000);
    const snapshot = await reader.read(env);
    expect(backup).toHaveReceivedCommandTimes(ListBackupPlansCommand, 1);
    expect(backup).toHaveReceivedCommandTimes(ListBackupSelectionsCommand, 1);
    expect(backup).not.toHaveReceivedCommand(GetBackupPlanCommand);
    expect(backup).not.toHaveReceivedCommand(GetBackupSelectionCommand);
    expect(snapshot.backup?.plans[0]).toMatchObject({
      backupPlanName: 'daily',
      resourceArns: [efsArn],
    });

    clearAwsCalls();
    now = new Date(now.getTime() + 60_000);
    backup.on(ListBackupPlansCommand).resolves({
      BackupPlansList: [{ BackupPlanId: 'plan-1', VersionId: 'v2' }],
    });
    await reader.read(env);
    expect(backup).toHaveReceivedCommandWith(GetBackupPlanCommand, {
      BackupPlanId: 'plan-1',
      VersionId: 'v2',
    });
  });
});
