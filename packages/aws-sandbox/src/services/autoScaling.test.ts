import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import type { RunningSandbox } from '../server';
import {
  clientConfig,
  DEVELOPMENT,
  NIGHT,
  PEAK,
  PRODUCTION,
  startKlerSandbox,
} from '../testUtils';

describe('EC2 Auto Scaling', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startKlerSandbox(PEAK);
  });
  afterAll(() => sandbox.close());

  it('describes the ECS capacity group, growing with demand', async () => {
    const client = new AutoScalingClient(clientConfig(sandbox.url, PRODUCTION));
    const peak = await client.send(
      new DescribeAutoScalingGroupsCommand({
        AutoScalingGroupNames: ['kler-production-ecs'],
      }),
    );
    const [group] = peak.AutoScalingGroups!;
    expect(group).toMatchObject({
      AutoScalingGroupName: 'kler-production-ecs',
      MinSize: 3,
      MaxSize: 12,
    });
    expect(group.AvailabilityZones).toEqual([
      'eu-west-1a',
      'eu-west-1b',
      'eu-west-1c',
    ]);
    expect(group.Instances).toHaveLength(group.DesiredCapacity!);
    expect(group.Instances![0]).toMatchObject({
      LifecycleState: 'InService',
      HealthStatus: 'Healthy',
      InstanceType: 'm6i.xlarge',
    });
    expect(group.CreatedTime).toBeInstanceOf(Date);
    expect(group.Tags!.map(t => t.Key)).toContain('AmazonECSManaged');
    sandbox.admin.setClock({ set: NIGHT });
    const night = await client.send(
      new DescribeAutoScalingGroupsCommand({
        AutoScalingGroupNames: ['kler-production-ecs'],
      }),
    );
    expect(night.AutoScalingGroups![0].DesiredCapacity).toBeLessThan(
      group.DesiredCapacity!,
    );
    sandbox.admin.setClock({ set: PEAK });
  });

  it('lists only the groups of the caller account and rejects MaxRecords above 100', async () => {
    const client = new AutoScalingClient(
      clientConfig(sandbox.url, DEVELOPMENT),
    );
    const out = await client.send(new DescribeAutoScalingGroupsCommand({}));
    expect(out.AutoScalingGroups!.map(g => g.AutoScalingGroupName)).toEqual([
      'kler-development-ecs',
    ]);
    await expect(
      client.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 101 })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      $metadata: { httpStatusCode: 400 },
    });
  });
});
