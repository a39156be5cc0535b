import { DescribeScalingPoliciesCommand } from '@aws-sdk/client-application-auto-scaling';
import {
  GetBackupPlanCommand,
  ListBackupJobsCommand,
  ListBackupPlansCommand,
  ListBackupSelectionsCommand,
} from '@aws-sdk/client-backup';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
} from '@aws-sdk/client-ecs';
import { GetWorkloadCommand } from '@aws-sdk/client-wellarchitected';
import { EnvironmentSnapshot } from '@kler/plugin-environments-common';
import {
  applicationAutoScaling,
  awsCallCount,
  backup,
  clearAwsCalls,
  cloudWatch,
  createReader,
  ecs,
  env,
  mockCluster,
  mockServices,
  useAwsMocks,
  wellArchitected,
} from '../../__testUtils__/awsMocks';

useAwsMocks();

/** Every call of the mocks, by command name. */
function callsByCommand(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const mock of [ecs, applicationAutoScaling, cloudWatch, backup]) {
    for (const call of mock.calls()) {
      const name = (call.args[0] as object).constructor.name.replace(
        /Command$/,
        '',
      );
      counts[name] = (counts[name] ?? 0) + 1;
    }
  }
  return counts;
}

function mockPlans() {
  backup.on(ListBackupPlansCommand).resolves({
    BackupPlansList: [
      { BackupPlanId: 'plan-1', BackupPlanName: 'daily', VersionId: 'v1' },
    ],
  });
  backup.on(GetBackupPlanCommand).resolves({
    BackupPlanId: 'plan-1',
    BackupPlan: { BackupPlanName: 'daily', Rules: [] },
  });
  backup.on(ListBackupSelectionsCommand).resolves({ BackupSelectionsList: [] });
}

describe('AwsEnvironmentReader: read cadence', () => {
  beforeEach(() => {
    mockServices(['shop-api', 'storefront']);
    mockCluster({ activeServicesCount: 2 });
    mockPlans();
  });

  it('reads health only on a second read within the configuration period, and gives the same snapshot', async () => {
    const reader = createReader();
    const first = await reader.read(env);
    const firstCalls = awsCallCount();
    clearAwsCalls();

    const second = await reader.read(env);

    expect(callsByCommand()).toEqual({
      DescribeClusters: 1,
      DescribeServices: 1,
      ListTasks: 1,
      DescribeAlarms: 1,
      DescribeScalingActivities: 1,
      ListBackupJobs: 1,
    });
    expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
      StateValue: 'ALARM',
    });
    expect(awsCallCount()).toBeLessThan(firstCalls / 2);
    expect(second).toEqual(first);
  });

  it('reads the configuration again once it is due', async () => {
    let now = new Date('2026-11-26T12:00:00.000Z');
    const reader = createReader({
      now: () => now,
      configurationMaxAgeMs: 10 * 60_000,
    });
    await reader.read(env);
    const firstCalls = callsByCommand();
    clearAwsCalls();

    now = new Date(now.getTime() + 10 * 60_000);
    await reader.read(env);

    // A backup plan version is described once, whatever the cadence.
    expect(callsByCommand()).toEqual({
      ...firstCalls,
      GetBackupPlan: undefined,
    });
    expect(wellArchitected).toHaveReceivedCommandTimes(GetWorkloadCommand, 1);
  });

  it('reads everything on every read with the awsConfiguration and awsDescriptions caches off', async () => {
    const reader = createReader({
      caches: { awsConfiguration: false, awsDescriptions: false },
    });
    await reader.read(env);
    const firstCalls = callsByCommand();
    clearAwsCalls();

    await reader.read(env);

    expect(callsByCommand()).toEqual(firstCalls);
  });

  it('starts over for an environment whose definition changed', async () => {
    const reader = createReader();
    await reader.read(env);
    clearAwsCalls();

    await reader.read({ ...env, backupVault: 'kler-production-2' });

    expect(applicationAutoScaling).toHaveReceivedCommand(
      DescribeScalingPoliciesCommand,
    );
    expect(backup).toHaveReceivedCommand(ListBackupPlansCommand);
  });
});

describe('AwsEnvironmentReader: progressive first read', () => {
  /** Holds every DescribeScalingPolicies call until released. */
  function holdPolicies() {
    let release!: () => void;
    const released = new Promise<void>(resolve => {
      release = resolve;
    });
    applicationAutoScaling
      .on(DescribeScalingPoliciesCommand)
      .callsFake(async () => {
        await released;
        return { ScalingPolicies: [] };
      });
    return release;
  }

  beforeEach(() => {
    mockServices(['shop-api', 'storefront']);
    mockCluster({ activeServicesCount: 2 });
  });

  it('hands over the health as soon as it is read, the parts still read marked pending', async () => {
    const release = holdPolicies();
    const reader = createReader();
    const health: EnvironmentSnapshot[] = [];

    const whole = reader.read(env, {
      onHealthRead: snapshot => {
        health.push(snapshot);
        release();
      },
    });
    const snapshot = await whole;

    expect(health).toHaveLength(1);
    // workloadResources follows backup and the running tasks: a few ticks
    // after them, it may still be in flight too.
    expect(
      health[0].pending!.filter(part => part !== 'workloadResources'),
    ).toEqual(['scaling']);
    expect(health[0].services.map(s => s.serviceName)).toEqual([
      'shop-api',
      'storefront',
    ]);
    expect(health[0].backup).toBeDefined();
    expect(snapshot.pending).toBeUndefined();
    expect(snapshot.services.map(s => s.serviceName)).toEqual([
      'shop-api',
      'storefront',
    ]);
  });

  it('hands nothing over on a later read with no configuration due', async () => {
    const reader = createReader();
    await reader.read(env);
    const onHealthRead = jest.fn();
    await reader.read(env, { onHealthRead });
    expect(onHealthRead).not.toHaveBeenCalled();
  });

  it('on a later read, shows the configuration of the earlier one while it is read again, not pending', async () => {
    let now = new Date('2026-11-26T12:00:00.000Z');
    const reader = createReader({
      now: () => now,
      configurationMaxAgeMs: 60_000,
    });
    await reader.read(env);

    now = new Date(now.getTime() + 60_000);
    const release = holdPolicies();
    const health: EnvironmentSnapshot[] = [];
    await reader.read(env, {
      onHealthRead: snapshot => {
        health.push(snapshot);
        release();
      },
    });

    expect(health).toHaveLength(1);
    expect(health[0].pending).toBeUndefined();
  });

  it('fails the whole read when ECS cannot be read, with nothing handed over', async () => {
    const onHealthRead = jest.fn();
    ecs.on(DescribeClustersCommand).rejects(new Error('boom'));
    await expect(createReader().read(env, { onHealthRead })).rejects.toThrow(
      'boom',
    );
    expect(onHealthRead).not.toHaveBeenCalled();
    expect(backup).toHaveReceivedCommand(ListBackupJobsCommand);
  });

  it('stops the other parts when the read fails: a listing of many pages is not read on for nobody', async () => {
    let pages = 0;
    ecs
      .on(DescribeClustersCommand)
      .callsFake(
        () =>
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error('boom')), 30),
          ),
      );
    // A thousand pages, 5 ms each: five seconds if nothing stops it.
    applicationAutoScaling.on(DescribeScalingPoliciesCommand).callsFake(
      input =>
        new Promise(resolve =>
          setTimeout(() => {
            pages += 1;
            const page = Number(input.NextToken ?? 0);
            resolve({
              ScalingPolicies: [],
              NextToken: page < 1000 ? String(page + 1) : undefined,
            });
          }, 5),
        ),
    );

    await expect(createReader().read(env)).rejects.toThrow('boom');
    const atFailure = pages;
    await new Promise(resolve => setTimeout(resolve, 300));

    // At most the page in flight when the read failed ends; no next one starts.
    expect(atFailure).toBeGreaterThan(0);
    expect(pages - atFailure).toBeLessThanOrEqual(1);
  });
});

describe('AwsEnvironmentReader: bounded concurrency', () => {
  it('never has more calls in flight than the configured limit', async () => {
    mockServices(Array.from({ length: 95 }, (_, i) => `service-${i}`));
    let inFlight = 0;
    let maxInFlight = 0;
    ecs.on(DescribeServicesCommand).callsFake(async input => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise(resolve => setTimeout(resolve, 5));
      inFlight -= 1;
      return {
        services: (input.services as string[]).map(arn => ({
          serviceArn: arn,
          serviceName: arn.split('/').pop(),
        })),
      };
    });

    const snapshot = await createReader({ concurrency: 3 }).read(env);

    expect(ecs).toHaveReceivedCommandTimes(DescribeServicesCommand, 10);
    expect(maxInFlight).toBe(3);
    expect(snapshot.services).toHaveLength(95);
  });
});
