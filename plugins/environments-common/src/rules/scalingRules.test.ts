import { problemWithSuffix, problemsOf } from '../__fixtures__/evaluate';
import {
  firingAlarm,
  healthySnapshot,
  hoursAgo,
  scalingActivity,
  serviceOf,
} from '../__fixtures__/snapshots';

describe('scaling rules', () => {
  describe('pinned at max capacity', () => {
    it.each([
      ['production', 'high'],
      ['development', 'medium'],
    ] as const)('is %s -> %s', (tier, severity) => {
      const snapshot = healthySnapshot(tier);
      const storefront = serviceOf(snapshot, 'storefront');
      storefront.desiredCount = 6;
      storefront.runningCount = 6;
      const problem = problemWithSuffix(
        problemsOf(snapshot),
        'at-max-capacity',
      );
      expect(problem).toMatchObject({
        id: `${tier}/service/storefront/at-max-capacity`,
        area: 'scaling',
        severity,
        resource: `service/kler-${tier}/storefront`,
      });
      expect(problem.explanation).toContain(
        "Desired count 6 has reached the scalable target's maximum of 6 (minimum 1)",
      );
      expect(problem.explanation).toContain(
        'storefront-cpu-target-tracking (TargetTrackingScaling, ECSServiceAverageCPUUtilization target 60)',
      );
      expect(problem.proposedFix).toContain(
        `aws application-autoscaling register-scalable-target --service-namespace ecs --scalable-dimension ecs:service:DesiredCount --resource-id service/kler-${tier}/storefront`,
      );
    });

    it.each([
      [5, 6, false],
      [6, 6, true],
      [7, 6, true],
    ])('desired %d with max %d fires: %p', (desired, max, fires) => {
      const snapshot = healthySnapshot();
      const storefront = serviceOf(snapshot, 'storefront');
      storefront.desiredCount = desired;
      storefront.runningCount = desired;
      storefront.scaling!.maxCapacity = max;
      expect(problemsOf(snapshot).map(p => p.id)).toEqual(
        fires ? ['production/service/storefront/at-max-capacity'] : [],
      );
    });

    it('does not fire for a fixed-size target (min = max) or without a target', () => {
      const snapshot = healthySnapshot();
      const storefront = serviceOf(snapshot, 'storefront');
      storefront.scaling!.minCapacity = 2;
      storefront.scaling!.maxCapacity = 2;
      delete serviceOf(snapshot, 'shop-api').scaling;
      expect(problemsOf(snapshot)).toEqual([]);
    });
  });

  describe('pinned at min while alarming', () => {
    it('fires when an alarm of the service is in ALARM at the minimum', () => {
      const snapshot = healthySnapshot();
      const shopApi = serviceOf(snapshot, 'shop-api');
      shopApi.scaling!.minCapacity = 2;
      shopApi.scaling!.policies = [];
      shopApi.alarms.push(
        firingAlarm(snapshot.environment, 'shop-api-p99-latency', 'shop-api'),
      );
      const problems = problemsOf(snapshot);
      const problem = problemWithSuffix(
        problems,
        'at-min-capacity-while-alarming',
      );
      expect(problem.severity).toBe('medium');
      expect(problem.explanation).toContain(
        '1 alarm of the service is in ALARM: shop-api-p99-latency',
      );
      expect(problem.explanation).toContain(
        'The target has no scaling policy.',
      );
    });

    it('does not fire above the minimum or without a firing alarm', () => {
      const snapshot = healthySnapshot('development');
      const shopApi = serviceOf(snapshot, 'shop-api');
      shopApi.alarms.push(
        firingAlarm(snapshot.environment, 'shop-api-p99-latency', 'shop-api'),
      );
      // desired 2 > min 1: auto scaling did react.
      expect(problemsOf(snapshot).filter(p => p.area === 'scaling')).toEqual(
        [],
      );
      shopApi.alarms = [];
      shopApi.scaling!.minCapacity = 2;
      expect(problemsOf(snapshot)).toEqual([]);
    });
  });

  describe('failed scaling activities', () => {
    it('aggregates failed activities of the last 24 h with the latest message', () => {
      const snapshot = healthySnapshot();
      const env = snapshot.environment;
      const imageService = serviceOf(snapshot, 'image-service');
      imageService.scaling!.activities = [
        scalingActivity(env, 'image-service', {
          statusCode: 'Failed',
          startTime: hoursAgo(2),
          description: 'Setting desired count to 5.',
          statusMessage:
            'Failed to set desired count to 5. Reason: service kler-production/image-service does not have enough capacity.',
        }),
        scalingActivity(env, 'image-service', {
          statusCode: 'Unfulfilled',
          startTime: hoursAgo(20),
        }),
        scalingActivity(env, 'image-service', {
          statusCode: 'Failed',
          startTime: hoursAgo(25),
        }),
      ];
      const problem = problemWithSuffix(
        problemsOf(snapshot),
        'scaling-activity-failed',
      );
      expect(problem).toMatchObject({
        id: 'production/service/image-service/scaling-activity-failed',
        severity: 'high',
        area: 'scaling',
      });
      expect(problem.explanation).toContain('2 scaling activities');
      expect(problem.explanation).toContain('does not have enough capacity');
      expect(problem.proposedFix).toContain(
        'aws application-autoscaling describe-scaling-activities --service-namespace ecs --resource-id service/kler-production/image-service',
      );
    });

    it('rates activities that were only unfulfilled lower', () => {
      const snapshot = healthySnapshot('development');
      serviceOf(snapshot, 'image-service').scaling!.activities = [
        scalingActivity(snapshot.environment, 'image-service', {
          statusCode: 'Unfulfilled',
          startTime: hoursAgo(1),
        }),
      ];
      const problem = problemWithSuffix(
        problemsOf(snapshot),
        'scaling-activity-failed',
      );
      expect(problem.severity).toBe('low');
      expect(problem.title).toBe('Scaling of image-service was not fulfilled');
    });

    it('ignores failures older than the window', () => {
      const snapshot = healthySnapshot();
      serviceOf(snapshot, 'image-service').scaling!.activities = [
        scalingActivity(snapshot.environment, 'image-service', {
          statusCode: 'Failed',
          startTime: hoursAgo(24.5),
        }),
      ];
      expect(problemsOf(snapshot)).toEqual([]);
      expect(
        problemsOf(snapshot, { scalingActivityWindowHours: 48 }),
      ).toHaveLength(1);
    });
  });

  describe('capacity providers', () => {
    it.each([
      ['production', 'critical'],
      ['development', 'high'],
    ] as const)(
      'reports a group without InService instances in %s as %s',
      (tier, severity) => {
        const snapshot = healthySnapshot(tier);
        const group = snapshot.cluster!.capacityProviders[0].autoScalingGroup!;
        group.instances = group.instances.map(i => ({
          ...i,
          lifecycleState: 'Pending',
        }));
        snapshot.cluster!.pendingTasksCount = 3;
        const problem = problemWithSuffix(
          problemsOf(snapshot),
          'no-in-service-instances',
        );
        expect(problem).toMatchObject({
          id: `${tier}/capacity-provider/kler-${tier}-ec2/no-in-service-instances`,
          severity,
          area: 'scaling',
          consoleUrl: `https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#AutoScalingGroupDetails:id=kler-${tier}-ecs-instances;view=details`,
        });
        expect(problem.explanation).toContain('3 tasks are pending');
        expect(problem.explanation).toContain('Pending/Healthy');
      },
    );

    it('leaves a group scaled to zero with nothing to place alone', () => {
      const snapshot = healthySnapshot();
      const group = snapshot.cluster!.capacityProviders[0].autoScalingGroup!;
      group.instances = [];
      group.desiredCapacity = 0;
      group.minSize = 0;
      expect(problemsOf(snapshot)).toEqual([]);
    });

    it('reports disabled managed scaling', () => {
      const snapshot = healthySnapshot();
      snapshot.cluster!.capacityProviders[0].managedScalingStatus = 'DISABLED';
      const problem = problemWithSuffix(
        problemsOf(snapshot),
        'managed-scaling-disabled',
      );
      expect(problem.severity).toBe('medium');
      expect(problem.proposedFix).toContain(
        'aws ecs update-capacity-provider --name kler-production-ec2',
      );
      expect(problem.consoleUrl).toBe(
        'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/kler-production/infrastructure?region=eu-west-1',
      );
    });

    it('reports a group at its max size while tasks are pending', () => {
      const snapshot = healthySnapshot();
      const group = snapshot.cluster!.capacityProviders[0].autoScalingGroup!;
      group.desiredCapacity = 4;
      serviceOf(snapshot, 'shop-api').pendingCount = 2;
      serviceOf(snapshot, 'shop-api').runningCount = 2;
      serviceOf(snapshot, 'shop-api').desiredCount = 4;
      const problems = problemsOf(snapshot);
      const problem = problemWithSuffix(
        problems,
        'at-max-size-with-pending-tasks',
      );
      expect(problem.severity).toBe('high');
      expect(problem.explanation).toContain('(4 of max 4) while 2 tasks wait');
    });

    it('does not report a full group when nothing is pending', () => {
      const snapshot = healthySnapshot();
      snapshot.cluster!.capacityProviders[0].autoScalingGroup!.desiredCapacity = 4;
      expect(problemsOf(snapshot)).toEqual([]);
    });
  });
});
