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
        },
        {
          resourceArn: rdsArn,
          resourceType: 'RDS',
          resourceName: 'shop-database',
        },
      ],
    });
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
