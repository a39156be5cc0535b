import 'aws-sdk-client-mock-jest';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { createLimiter } from './concurrency';
import { autoScalingGroupNameFromArn } from './ecs';
import { readAutoScalingGroups } from './scaling';
import { AwsClients, ReadContext } from './types';

const autoScaling = mockClient(AutoScalingClient);

describe('readAutoScalingGroups', () => {
  it('asks for 50 group names per call and follows NextToken', async () => {
    autoScaling.on(DescribeAutoScalingGroupsCommand).callsFake(input => {
      const names = input.AutoScalingGroupNames as string[];
      const half = names.slice(
        input.NextToken ? 25 : 0,
        input.NextToken ? undefined : 25,
      );
      return {
        AutoScalingGroups: half.map(name => ({
          AutoScalingGroupName: name,
          MinSize: 1,
          MaxSize: 3,
          DesiredCapacity: 2,
          Instances: [],
        })),
        NextToken: !input.NextToken && names.length > 25 ? 'more' : undefined,
      };
    });
    const ctx = {
      clients: {
        autoScaling: new AutoScalingClient({ region: 'eu-west-1' }),
      } as Partial<AwsClients> as AwsClients,
      limit: createLimiter(4),
      sendOptions: {},
    } as ReadContext;
    const names = Array.from({ length: 120 }, (_, i) => `asg-${i}`);

    const groups = await readAutoScalingGroups(ctx, [...names, 'asg-0']);

    const calls = autoScaling.commandCalls(DescribeAutoScalingGroupsCommand);
    const firstPages = calls.filter(call => !call.args[0].input.NextToken);
    expect(
      firstPages.map(call => call.args[0].input.AutoScalingGroupNames?.length),
    ).toEqual([50, 50, 20]);
    expect(calls).toHaveLength(5);
    expect(groups.size).toBe(120);
    expect(groups.get('asg-119')).toEqual({
      autoScalingGroupName: 'asg-119',
      minSize: 1,
      maxSize: 3,
      desiredCapacity: 2,
      instances: [],
    });
  });
});

describe('autoScalingGroupNameFromArn', () => {
  it('takes the name from an Auto Scaling group ARN and passes a name through', () => {
    expect(
      autoScalingGroupNameFromArn(
        'arn:aws:autoscaling:eu-west-1:111111111111:autoScalingGroup:1f2e:autoScalingGroupName/kler-development-asg',
      ),
    ).toBe('kler-development-asg');
    expect(autoScalingGroupNameFromArn('kler-asg')).toBe('kler-asg');
  });
});
