import {
  BackupClient,
  GetBackupPlanCommand,
  GetBackupSelectionCommand,
  ListBackupJobsCommand,
  ListBackupPlansCommand,
  ListBackupSelectionsCommand,
  ListProtectedResourcesByBackupVaultCommand,
  ListRecoveryPointsByBackupVaultCommand,
  paginateListBackupJobs,
  BackupJob,
} from '@aws-sdk/client-backup';
import type { RunningSandbox } from '../server';
import {
  clientConfig,
  DEVELOPMENT,
  PEAK,
  PRODUCTION,
  startKlerSandbox,
} from '../testUtils';

const WEEK = 7 * 24 * 3600 * 1000;

describe('AWS Backup', () => {
  let sandbox: RunningSandbox;
  let production: BackupClient;
  let development: BackupClient;
  beforeAll(async () => {
    sandbox = await startKlerSandbox(PEAK);
    production = new BackupClient(clientConfig(sandbox.url, PRODUCTION));
    development = new BackupClient(clientConfig(sandbox.url, DEVELOPMENT));
  });
  afterAll(() => sandbox.close());

  it('describes the plan, its rule and its selection', async () => {
    const plans = await production.send(new ListBackupPlansCommand({}));
    expect(plans.BackupPlansList).toHaveLength(1);
    const { BackupPlanId } = plans.BackupPlansList![0];
    const plan = await production.send(
      new GetBackupPlanCommand({ BackupPlanId }),
    );
    expect(plan.BackupPlan!.Rules![0]).toMatchObject({
      TargetBackupVaultName: 'kler-production',
      ScheduleExpression: 'cron(0 3 * * ? *)',
      Lifecycle: { DeleteAfterDays: 35 },
    });
    expect(plan.CreationDate).toBeInstanceOf(Date);
    const selections = await production.send(
      new ListBackupSelectionsCommand({ BackupPlanId }),
    );
    const selection = await production.send(
      new GetBackupSelectionCommand({
        BackupPlanId,
        SelectionId: selections.BackupSelectionsList![0].SelectionId,
      }),
    );
    expect(selection.BackupSelection!.Resources).toEqual([
      expect.stringMatching(
        /^arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system\/fs-/,
      ),
      'arn:aws:rds:eu-west-1:222222222222:db:shop-database',
    ]);
    await expect(
      production.send(new GetBackupPlanCommand({ BackupPlanId: 'missing' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it("protects production's media and database but only development's database", async () => {
    const prod = await production.send(
      new ListProtectedResourcesByBackupVaultCommand({
        BackupVaultName: 'kler-production',
      }),
    );
    expect(prod.Results!.map(r => r.ResourceName).sort()).toEqual([
      'shop-database',
      'shop-media',
    ]);
    expect(prod.Results![0].LastBackupTime).toBeInstanceOf(Date);
    const dev = await development.send(
      new ListProtectedResourcesByBackupVaultCommand({
        BackupVaultName: 'kler-development',
      }),
    );
    expect(dev.Results!.map(r => r.ResourceName)).toEqual(['shop-database']);
  });

  it('accumulates recovery points within the retention', async () => {
    const prod = await production.send(
      new ListRecoveryPointsByBackupVaultCommand({
        BackupVaultName: 'kler-production',
      }),
    );
    // 35 days of daily backups of 2 resources, minus the failed ones
    expect(prod.RecoveryPoints!.length).toBeGreaterThan(55);
    expect(prod.RecoveryPoints!.length).toBeLessThanOrEqual(70);
    const dev = await development.send(
      new ListRecoveryPointsByBackupVaultCommand({
        BackupVaultName: 'kler-development',
      }),
    );
    expect(dev.RecoveryPoints!.length).toBeGreaterThanOrEqual(6);
    expect(dev.RecoveryPoints!.length).toBeLessThanOrEqual(8);
    expect(dev.RecoveryPoints![0]).toMatchObject({
      Status: 'COMPLETED',
      ResourceType: 'RDS',
    });
    await expect(
      production.send(
        new ListRecoveryPointsByBackupVaultCommand({ BackupVaultName: 'nope' }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('lists the last week of jobs with one failed database snapshot', async () => {
    const jobs: BackupJob[] = [];
    for await (const page of paginateListBackupJobs(
      { client: production, pageSize: 5 },
      { ByCreatedAfter: new Date(Date.parse(PEAK) - WEEK) },
    )) {
      jobs.push(...page.BackupJobs!);
    }
    expect(jobs).toHaveLength(14);
    const failed = jobs.filter(j => j.State === 'FAILED');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      ResourceName: 'shop-database',
      StatusMessage: expect.stringMatching(/Insufficient privileges/),
    });
    expect(
      jobs.every(j => j.CreationDate!.getTime() >= Date.parse(PEAK) - WEEK),
    ).toBe(true);
    await expect(
      production.send(new ListBackupJobsCommand({ MaxResults: 1001 })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
  });

  it('runs jobs on the schedule: in progress right after 03:00', async () => {
    sandbox.admin.setClock({ set: '2026-11-26T03:20:00Z' });
    const jobs = await production.send(
      new ListBackupJobsCommand({
        ByCreatedAfter: new Date('2026-11-26T02:00:00Z'),
      }),
    );
    sandbox.admin.setClock({ set: PEAK });
    expect(jobs.BackupJobs!.map(j => j.State)).toContain('RUNNING');
  });
});
