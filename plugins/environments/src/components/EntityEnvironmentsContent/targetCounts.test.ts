import { EcsService } from '@kler/plugin-environments-common';
import { countTargets } from './targetCounts';

const service = (overrides: Partial<EcsService>): EcsService => ({
  serviceName: 'storefront',
  serviceArn:
    'arn:aws:ecs:eu-west-1:222222222222:service/kler-production/storefront',
  status: 'ACTIVE',
  desiredCount: 3,
  runningCount: 3,
  pendingCount: 0,
  deployments: [],
  events: [],
  tasks: [],
  targetGroupArns: ['arn:tg/a', 'arn:tg/b'],
  targetHealth: [],
  alarms: [],
  ...overrides,
});

describe('countTargets', () => {
  it('adds up the per-target-group counts and gives the oldest metrics minute', () => {
    expect(
      countTargets(
        service({
          targetGroups: [
            {
              targetGroupArn: 'arn:tg/a',
              healthy: 3,
              unhealthy: 0,
              source: 'CloudWatch',
              at: '2026-11-26T10:02:00.000Z',
            },
            {
              targetGroupArn: 'arn:tg/b',
              healthy: 1,
              unhealthy: 2,
              source: 'DescribeTargetHealth',
            },
          ],
        }),
      ),
    ).toEqual({ healthy: 4, total: 6, metricsAt: '2026-11-26T10:02:00.000Z' });
  });

  it('counts the described targets of a snapshot without target group counts', () => {
    expect(
      countTargets(
        service({
          targetHealth: [
            {
              targetGroupArn: 'arn:tg/a',
              targetId: '10.0.0.1',
              state: 'healthy',
            },
            {
              targetGroupArn: 'arn:tg/a',
              targetId: '10.0.0.2',
              state: 'unhealthy',
            },
            {
              targetGroupArn: 'arn:tg/a',
              targetId: '10.0.0.3',
              state: 'draining',
            },
          ],
        }),
      ),
    ).toEqual({ healthy: 1, total: 3, metricsAt: undefined });
  });
});
