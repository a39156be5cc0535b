import { problemWithSuffix, problemsOf } from '../__fixtures__/evaluate';
import {
  firingAlarm,
  healthySnapshot,
  minutesAgo,
  serviceOf,
  stoppedTask,
  targetHealth,
} from '../__fixtures__/snapshots';
import { EnvironmentTier } from '../types';

describe('service health rules', () => {
  describe('running below desired', () => {
    it.each([
      ['production', 0, 'critical'],
      ['production', 1, 'high'],
      ['development', 0, 'high'],
      ['development', 1, 'high'],
    ] as const)(
      'in %s with %d of 2 running is %s',
      (tier, running, severity) => {
        const snapshot = healthySnapshot(tier);
        const shopApi = serviceOf(snapshot, 'shop-api');
        shopApi.runningCount = running;
        shopApi.pendingCount = 2 - running;
        shopApi.events.unshift({
          id: 'e1',
          createdAt: minutesAgo(2),
          message:
            '(service shop-api) was unable to place a task because no container instance met all of its requirements.',
        });
        const problem = problemWithSuffix(
          problemsOf(snapshot),
          'running-below-desired',
        );
        expect(problem).toMatchObject({
          id: `${tier}/service/shop-api/running-below-desired`,
          environment: tier,
          area: 'health',
          severity,
          serviceName: 'shop-api',
          resource: `arn:aws:ecs:eu-west-1:${
            tier === 'production' ? '222222222222' : '111111111111'
          }:service/kler-${tier}/shop-api`,
          consoleUrl: `https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/kler-${tier}/services/shop-api/health?region=eu-west-1`,
        });
        expect(problem.explanation).toContain(
          `${running} of 2 desired tasks are running (${2 - running} pending)`,
        );
        expect(problem.explanation).toContain('unable to place a task');
        expect(problem.proposedFix).toContain(
          `aws ecs update-service --cluster kler-${tier} --service shop-api --force-new-deployment --region eu-west-1`,
        );
      },
    );

    it('is quiet when running meets desired, also for a service scaled to zero', () => {
      const snapshot = healthySnapshot();
      const admin = serviceOf(snapshot, 'admin-panel');
      admin.desiredCount = 0;
      admin.runningCount = 0;
      expect(problemsOf(snapshot)).toEqual([]);
    });
  });

  describe('deployments', () => {
    it('reports a failed rollout with its reason', () => {
      const snapshot = healthySnapshot();
      const shopApi = serviceOf(snapshot, 'shop-api');
      shopApi.deployments[0] = {
        ...shopApi.deployments[0],
        id: 'ecs-svc/8372910234567812345',
        rolloutState: 'FAILED',
        rolloutStateReason:
          'ECS deployment circuit breaker: tasks failed to start.',
        runningCount: 0,
        failedTasks: 3,
        status: 'PRIMARY',
      };
      const problems = problemsOf(snapshot);
      const failed = problemWithSuffix(problems, 'rollout-failed');
      expect(failed).toMatchObject({
        id: 'production/service/shop-api/deployment/ecs-svc/8372910234567812345/rollout-failed',
        severity: 'high',
        area: 'health',
        consoleUrl:
          'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/kler-production/services/shop-api/deployments?region=eu-west-1',
      });
      expect(failed.explanation).toContain(
        'ECS deployment circuit breaker: tasks failed to start.',
      );
      expect(failed.explanation).toContain('shop-api:42');
      expect(failed.explanation).toContain('3 failed tasks');
    });

    it('is medium in development', () => {
      const snapshot = healthySnapshot('development');
      serviceOf(snapshot, 'storefront').deployments[0].rolloutState = 'FAILED';
      expect(
        problemWithSuffix(problemsOf(snapshot), 'rollout-failed').severity,
      ).toBe('medium');
    });

    it('ignores inactive deployments', () => {
      const snapshot = healthySnapshot();
      const storefront = serviceOf(snapshot, 'storefront');
      storefront.deployments.push({
        ...storefront.deployments[0],
        id: 'ecs-svc/1111111111111111111',
        status: 'INACTIVE',
        rolloutState: 'FAILED',
      });
      expect(problemsOf(snapshot)).toEqual([]);
    });

    it.each([
      [30, undefined, false],
      [31, undefined, true],
      [31, 45, false],
      [46, 45, true],
    ])(
      'a rollout in progress for %d min with a limit of %p min is stuck: %p',
      (minutes, limit, stuck) => {
        const snapshot = healthySnapshot();
        const shopApi = serviceOf(snapshot, 'shop-api');
        shopApi.deployments = [
          {
            ...shopApi.deployments[0],
            id: 'ecs-svc/2222222222222222222',
            rolloutState: 'IN_PROGRESS',
            createdAt: minutesAgo(minutes),
          },
          {
            ...shopApi.deployments[0],
            id: 'ecs-svc/3333333333333333333',
            status: 'ACTIVE',
            createdAt: minutesAgo(3000),
          },
        ];
        const problems = problemsOf(snapshot, {
          deploymentTimeoutMinutes: limit,
        });
        const observed = problems.map(p => [
          p.id,
          p.severity,
          p.explanation.match(/in progress for \d+ min \(limit \d+ min\)/)?.[0],
        ]);
        const expected = [
          [
            'production/service/shop-api/deployment/ecs-svc/2222222222222222222/rollout-stuck',
            'high',
            `in progress for ${minutes} min (limit ${limit ?? 30} min)`,
          ],
        ];
        expect(observed).toEqual(stuck ? expected : []);
      },
    );
  });

  describe('failed tasks of the primary deployment', () => {
    it.each([
      ['production', 'medium'],
      ['development', 'low'],
    ] as const)('counts them in %s as %s', (tier, severity) => {
      const snapshot = healthySnapshot(tier);
      const primary = serviceOf(snapshot, 'image-service').deployments[0];
      primary.failedTasks = 2;
      const problem = problemWithSuffix(problemsOf(snapshot), 'failed-tasks');
      expect(problem.id).toBe(`${tier}/service/image-service/failed-tasks`);
      expect(problem.severity).toBe(severity);
      expect(problem.explanation).toContain('2 failed tasks');
    });

    it('ignores failed tasks of a non-primary deployment', () => {
      const snapshot = healthySnapshot();
      const imageService = serviceOf(snapshot, 'image-service');
      imageService.deployments.push({
        ...imageService.deployments[0],
        id: 'ecs-svc/4444444444444444444',
        status: 'ACTIVE',
        failedTasks: 5,
      });
      expect(problemsOf(snapshot)).toEqual([]);
    });
  });

  describe('task placement', () => {
    it.each([
      ['production', 'high'],
      ['development', 'medium'],
    ] as const)(
      'reports recent "unable to place" events in %s as %s',
      (tier, severity) => {
        const snapshot = healthySnapshot(tier);
        const shopApi = serviceOf(snapshot, 'shop-api');
        shopApi.events.unshift(
          {
            id: 'a1',
            createdAt: minutesAgo(3),
            message:
              '(service shop-api) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance 5a3f0c8e2b1d4f6a9e7c1b2d3e4f5a6b) has insufficient memory available.',
          },
          {
            id: 'a2',
            createdAt: minutesAgo(40),
            message:
              '(service shop-api) was unable to place a task because no container instance met all of its requirements.',
          },
          {
            id: 'a3',
            createdAt: minutesAgo(90),
            message:
              '(service shop-api) was unable to place a task because no container instance met all of its requirements.',
          },
        );
        const problem = problemWithSuffix(
          problemsOf(snapshot),
          'task-placement-failed',
        );
        expect(problem.id).toBe(
          `${tier}/service/shop-api/task-placement-failed`,
        );
        expect(problem.severity).toBe(severity);
        expect(problem.explanation).toContain(
          '2 service events in the last 1 h',
        );
        expect(problem.explanation).toContain(
          'has insufficient memory available',
        );
      },
    );

    it('ignores steady-state events and old placement failures', () => {
      const snapshot = healthySnapshot();
      serviceOf(snapshot, 'shop-api').events.push({
        id: 'old',
        createdAt: minutesAgo(61),
        message:
          '(service shop-api) was unable to place a task because no container instance met all of its requirements.',
      });
      expect(problemsOf(snapshot)).toEqual([]);
    });
  });

  describe('stopped tasks', () => {
    function withStopped(
      tier: EnvironmentTier,
      ...tasks: Array<Parameters<typeof stoppedTask>>
    ) {
      const snapshot = healthySnapshot(tier);
      const shopApi = serviceOf(snapshot, 'shop-api');
      shopApi.tasks.push(
        ...tasks.map(([, serviceName, cause, minutes, seed]) =>
          stoppedTask(snapshot.environment, serviceName, cause, minutes, seed),
        ),
      );
      return snapshot;
    }

    it('aggregates out-of-memory kills with the count and the latest reason', () => {
      const env = healthySnapshot().environment;
      const snapshot = withStopped(
        'production',
        [env, 'shop-api', 'out-of-memory', 50],
        [env, 'shop-api', 'out-of-memory', 5],
        [env, 'shop-api', 'out-of-memory-exit-code', 20],
      );
      const problems = problemsOf(snapshot);
      expect(problems.map(p => p.id)).toEqual([
        'production/service/shop-api/tasks-out-of-memory',
      ]);
      const [oom] = problems;
      expect(oom.severity).toBe('high');
      expect(oom.explanation).toContain('3 tasks stopped in the last 1 h');
      expect(oom.explanation).toContain(minutesAgo(5));
      expect(oom.explanation).toContain(
        'OutOfMemoryError: Container killed due to memory usage',
      );
      expect(oom.resource).toBe(
        stoppedTask(env, 'shop-api', 'out-of-memory', 5).taskArn,
      );
      expect(oom.consoleUrl).toBe(
        'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/kler-production/services/shop-api/tasks?region=eu-west-1',
      );
      expect(oom.proposedFix).toContain('memory');
    });

    it('tells failed health checks from errors at exit', () => {
      const env = healthySnapshot('development').environment;
      const snapshot = withStopped(
        'development',
        [env, 'shop-api', 'elb-health-checks', 10],
        [env, 'shop-api', 'container-health-check', 12],
        [env, 'shop-api', 'essential-container-exited', 3],
      );
      const problems = problemsOf(snapshot);
      expect(problems.map(p => [p.id, p.severity])).toEqual([
        ['development/service/shop-api/tasks-exited-with-error', 'medium'],
        ['development/service/shop-api/tasks-failed-health-checks', 'medium'],
      ]);
      const healthChecks = problemWithSuffix(problems, 'failed-health-checks');
      expect(healthChecks.explanation).toContain('2 tasks stopped');
      expect(healthChecks.explanation).toContain(
        'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/kler-development-shop-api/',
      );
      const exited = problemWithSuffix(problems, 'exited-with-error');
      expect(exited.explanation).toContain(
        'Essential container in task exited; shop-api exit code 1',
      );
    });

    it('ignores scale-in, user stops and tasks stopped before the window', () => {
      const env = healthySnapshot().environment;
      const snapshot = withStopped(
        'production',
        [env, 'shop-api', 'scale-in', 5],
        [env, 'shop-api', 'user-stopped', 5],
        [env, 'shop-api', 'out-of-memory', 61],
      );
      expect(problemsOf(snapshot)).toEqual([]);
      expect(
        problemsOf(snapshot, { stoppedTaskWindowMinutes: 90 }).map(p => p.id),
      ).toEqual(['production/service/shop-api/tasks-out-of-memory']);
    });

    it('ignores Spot interruptions and containers that exit on SIGTERM', () => {
      const snapshot = healthySnapshot();
      const env = snapshot.environment;
      const spot = stoppedTask(env, 'shop-api', 'user-stopped', 5, 'spot');
      spot.stopCode = 'SpotInterruption';
      spot.stoppedReason = 'Your Spot Task was interrupted.';
      const sigterm = stoppedTask(
        env,
        'shop-api',
        'essential-container-exited',
        5,
        'sigterm',
      );
      sigterm.containers[0].exitCode = 143;
      serviceOf(snapshot, 'shop-api').tasks.push(spot, sigterm);
      expect(problemsOf(snapshot)).toEqual([]);
    });

    it('counts a task stopped exactly at the window edge', () => {
      const env = healthySnapshot().environment;
      const snapshot = withStopped('production', [
        env,
        'shop-api',
        'essential-container-exited',
        60,
      ]);
      expect(problemsOf(snapshot)).toHaveLength(1);
    });
  });

  describe('load balancer targets', () => {
    it.each([
      ['production', 'high'],
      ['development', 'medium'],
    ] as const)('reports unhealthy targets in %s as %s', (tier, severity) => {
      const snapshot = healthySnapshot(tier);
      const storefront = serviceOf(snapshot, 'storefront');
      storefront.targetHealth = [
        targetHealth(snapshot.environment, 'storefront', 0, {
          state: 'unhealthy',
          reason: 'Target.ResponseCodeMismatch',
          description: 'Health checks failed with these codes: [502]',
        }),
        targetHealth(snapshot.environment, 'storefront', 1),
        targetHealth(snapshot.environment, 'storefront', 2, {
          state: 'draining',
          reason: 'Target.DeregistrationInProgress',
        }),
      ];
      const problem = problemWithSuffix(
        problemsOf(snapshot),
        'unhealthy-targets',
      );
      expect(problem.severity).toBe(severity);
      expect(problem.explanation).toContain(
        '1 of 3 targets in 1 target group are unhealthy. 10.20.1.17:8080: Target.ResponseCodeMismatch (Health checks failed with these codes: [502])',
      );
      expect(problem.consoleUrl).toBe(
        `https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#TargetGroup:targetGroupArn=${storefront.targetGroupArns[0]}`,
      );
    });
  });

  describe('alarms', () => {
    it('reports a firing alarm of a service and of the cluster', () => {
      const snapshot = healthySnapshot();
      const env = snapshot.environment;
      serviceOf(snapshot, 'order-worker').alarms.push(
        firingAlarm(env, 'order-worker queue depth', 'order-worker'),
      );
      snapshot.cluster!.alarms.push(
        firingAlarm(env, 'kler-production-cpu-reservation-high'),
      );
      const problems = problemsOf(snapshot).filter(p => p.area === 'health');
      expect(problems.map(p => [p.id, p.severity, p.serviceName])).toEqual([
        [
          'production/cluster/kler-production/alarm/kler-production-cpu-reservation-high',
          'high',
          undefined,
        ],
        [
          'production/service/order-worker/alarm/order-worker queue depth',
          'high',
          'order-worker',
        ],
      ]);
      expect(problems[1].consoleUrl).toBe(
        'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/order-worker%20queue%20depth',
      );
      expect(problems[1].explanation).toContain('(AWS/ECS CPUUtilization)');
      expect(problems[1].explanation).toContain('Threshold Crossed: 3 out of');
    });

    it('ignores alarms in OK and INSUFFICIENT_DATA', () => {
      const snapshot = healthySnapshot();
      serviceOf(snapshot, 'storefront').alarms[0].stateValue =
        'INSUFFICIENT_DATA';
      expect(problemsOf(snapshot)).toEqual([]);
    });
  });
});
