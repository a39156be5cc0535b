import {
  NOW,
  backupJob,
  firingAlarm,
  healthySnapshot,
  hoursAgo,
  improvement,
  minutesAgo,
  rdsArn,
  serviceOf,
  stoppedTask,
  wellArchitectedReview,
} from './__fixtures__/snapshots';
import { run } from './__fixtures__/runs';
import {
  evaluateEnvironment,
  evaluateUnreadEnvironment,
  pendingAreas,
  summarizeEvaluation,
} from './evaluateEnvironment';
import { PROBLEM_SEVERITIES, compareProblems } from './severity';
import { EnvironmentSnapshot, EnvironmentTier } from './types';

/** Production on a bad day: shop-api down, storefront at max, a backup failed, risks. */
function troubledSnapshot(
  tier: EnvironmentTier = 'production',
): EnvironmentSnapshot {
  const snapshot = healthySnapshot(tier);
  const env = snapshot.environment;
  const shopApi = serviceOf(snapshot, 'shop-api');
  shopApi.runningCount = 0;
  shopApi.pendingCount = 0;
  shopApi.tasks = [
    stoppedTask(env, 'shop-api', 'out-of-memory', 4),
    stoppedTask(env, 'shop-api', 'out-of-memory', 9),
  ];
  shopApi.alarms.push(firingAlarm(env, 'shop-api-5xx-rate', 'shop-api'));
  const storefront = serviceOf(snapshot, 'storefront');
  storefront.desiredCount = 6;
  storefront.runningCount = 6;
  snapshot.backup!.jobs.unshift(
    backupJob(env, rdsArn(env), {
      state: 'FAILED',
      creationDate: hoursAgo(3),
      completionDate: hoursAgo(2),
      statusMessage: 'The DB instance is not in a valid state for backup.',
    }),
  );
  snapshot.wellArchitected = wellArchitectedReview(env, [
    improvement(
      'reliability',
      'rel-1',
      'How do you design for failure?',
      'MEDIUM',
    ),
  ]);
  return snapshot;
}

describe('evaluateEnvironment', () => {
  it.each(['production', 'development'] as const)(
    'finds no problem in a healthy %s snapshot',
    tier => {
      const evaluation = evaluateEnvironment(healthySnapshot(tier), {
        now: NOW,
      });
      expect(evaluation).toEqual({
        environment: tier,
        status: 'ok',
        areas: {
          health: 'ok',
          scaling: 'ok',
          backup: 'ok',
          wellArchitected: 'ok',
          workload: 'ok',
          provisioning: 'ok',
        },
        services: expect.any(Array),
        problems: [],
      });
      expect(evaluation.services.map(s => [s.serviceName, s.status])).toEqual([
        ['storefront', 'ok'],
        ['shop-api', 'ok'],
        ['admin-panel', 'ok'],
        ['image-service', 'ok'],
        ['order-worker', 'ok'],
      ]);
    },
  );

  it('orders problems worst first', () => {
    const { problems } = evaluateEnvironment(troubledSnapshot(), { now: NOW });
    expect(problems.map(p => [p.severity, p.id])).toEqual([
      ['critical', 'production/service/shop-api/running-below-desired'],
      ['high', 'production/service/shop-api/alarm/shop-api-5xx-rate'],
      ['high', 'production/service/shop-api/tasks-out-of-memory'],
      ['high', 'production/service/storefront/at-max-capacity'],
      ['high', 'production/backup/shop-database/job-failed'],
      ['low', 'production/well-architected/reliability/medium-risks'],
    ]);
    expect([...problems].sort(compareProblems)).toEqual(problems);
    const ranks = problems.map(p => PROBLEM_SEVERITIES.indexOf(p.severity));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it('fills every field of a problem', () => {
    const { problems } = evaluateEnvironment(troubledSnapshot(), { now: NOW });
    for (const problem of problems) {
      expect(problem.environment).toBe('production');
      expect(problem.id.startsWith('production/')).toBe(true);
      expect(problem.title.length).toBeGreaterThan(10);
      expect(problem.explanation.length).toBeGreaterThan(30);
      expect(problem.proposedFix.length).toBeGreaterThan(30);
      expect(problem.consoleUrl).toMatch(
        /^https:\/\/eu-west-1\.console\.aws\.amazon\.com\/.*region=eu-west-1/,
      );
    }
  });

  it('gives every problem its own id', () => {
    const { problems } = evaluateEnvironment(troubledSnapshot(), { now: NOW });
    expect(new Set(problems.map(p => p.id)).size).toBe(problems.length);
  });

  it('keeps problem ids stable across refreshes', () => {
    const first = evaluateEnvironment(troubledSnapshot(), { now: NOW });
    const later = evaluateEnvironment(troubledSnapshot(), {
      now: new Date(NOW.getTime() + 5 * 60 * 1000),
    });
    expect(later.problems.map(p => p.id)).toEqual(
      first.problems.map(p => p.id),
    );
  });

  it('rates development lower than production for the same state', () => {
    const severities = (tier: EnvironmentTier) =>
      Object.fromEntries(
        evaluateEnvironment(troubledSnapshot(tier), { now: NOW }).problems.map(
          p => [p.id.slice(tier.length + 1), p.severity],
        ),
      );
    expect(severities('development')).toEqual({
      'service/shop-api/running-below-desired': 'high',
      'service/shop-api/alarm/shop-api-5xx-rate': 'medium',
      'service/shop-api/tasks-out-of-memory': 'medium',
      'service/storefront/at-max-capacity': 'medium',
      'backup/shop-database/job-failed': 'medium',
      'well-architected/reliability/medium-risks': 'low',
    });
    expect(severities('production')).toMatchObject({
      'service/shop-api/running-below-desired': 'critical',
      'service/storefront/at-max-capacity': 'high',
    });
  });

  it('gives statuses per service and area', () => {
    const evaluation = evaluateEnvironment(troubledSnapshot(), { now: NOW });
    expect(evaluation.status).toBe('error');
    expect(evaluation.areas).toEqual({
      health: 'error',
      scaling: 'error',
      backup: 'error',
      wellArchitected: 'warning',
      workload: 'ok',
      provisioning: 'ok',
    });
    const byName = Object.fromEntries(
      evaluation.services.map(s => [s.serviceName, s]),
    );
    expect(byName['shop-api'].status).toBe('error');
    expect(byName['shop-api'].areas).toEqual({
      health: 'error',
      scaling: 'ok',
      backup: 'ok',
      wellArchitected: 'ok',
      workload: 'ok',
      provisioning: 'ok',
    });
    expect(byName['shop-api'].problems.map(p => p.id)).toEqual([
      'production/service/shop-api/running-below-desired',
      'production/service/shop-api/alarm/shop-api-5xx-rate',
      'production/service/shop-api/tasks-out-of-memory',
    ]);
    expect(byName.storefront.areas.scaling).toBe('error');
    expect(byName['admin-panel'].status).toBe('ok');
  });

  it('gives warning for an environment with only medium and low problems', () => {
    const snapshot = healthySnapshot('development');
    serviceOf(snapshot, 'image-service').deployments[0].failedTasks = 1;
    const evaluation = evaluateEnvironment(snapshot, { now: NOW });
    expect(evaluation.status).toBe('warning');
    expect(evaluation.areas.health).toBe('warning');
    expect(
      evaluation.services.find(s => s.serviceName === 'image-service')?.status,
    ).toBe('warning');
  });

  it('evaluates a snapshot that could not read ECS at all', () => {
    const snapshot = healthySnapshot();
    delete snapshot.cluster;
    snapshot.services = [];
    snapshot.readErrors.push({
      area: 'health',
      name: 'AccessDeniedException',
      message:
        'User: arn:aws:sts::222222222222:assumed-role/kler-portal-reader/backstage is not authorized to perform: ecs:ListServices on resource: *',
    });
    const evaluation = evaluateEnvironment(snapshot, { now: NOW });
    expect(evaluation.areas.health).toBe('unknown');
    expect(evaluation.status).toBe('error');
    expect(evaluation.problems.map(p => p.id)).toEqual([
      'production/read-error/health',
    ]);
  });

  it('shows the health of a first read while its other parts are pending', () => {
    const snapshot = troubledSnapshot();
    for (const service of snapshot.services) {
      delete service.scaling;
      service.tasks = service.tasks.filter(t => t.lastStatus === 'STOPPED');
    }
    delete snapshot.backup;
    delete snapshot.wellArchitected;
    snapshot.pending = ['runningTasks', 'scaling', 'backup', 'wellArchitected'];

    const evaluation = evaluateEnvironment(snapshot, { now: NOW });

    expect(pendingAreas(snapshot)).toEqual([
      'scaling',
      'backup',
      'wellArchitected',
    ]);
    expect(evaluation.areas).toEqual({
      health: 'error',
      scaling: 'unknown',
      backup: 'unknown',
      wellArchitected: 'unknown',
      workload: 'ok',
      provisioning: 'ok',
    });
    expect(evaluation.status).toBe('error');
    expect(evaluation.problems.every(p => p.area === 'health')).toBe(true);
    const byName = Object.fromEntries(
      evaluation.services.map(s => [s.serviceName, s]),
    );
    expect(byName['shop-api'].status).toBe('error');
    // Known so far: healthy. Pending scaling does not make it unknown.
    expect(byName['admin-panel'].status).toBe('ok');
    expect(byName['admin-panel'].areas.scaling).toBe('unknown');
  });

  it('is ok, not unknown, for a healthy first read with parts pending', () => {
    const snapshot = healthySnapshot();
    delete snapshot.backup;
    snapshot.pending = ['backup'];
    const evaluation = evaluateEnvironment(snapshot, { now: NOW });
    expect(evaluation.status).toBe('ok');
    expect(evaluation.areas.backup).toBe('unknown');
  });

  it('does not change the snapshot', () => {
    const snapshot = troubledSnapshot();
    const copy = JSON.parse(JSON.stringify(snapshot));
    evaluateEnvironment(snapshot, { now: NOW });
    expect(snapshot).toEqual(copy);
  });

  it('compares against the current time by default', () => {
    jest.useFakeTimers({ now: new Date(NOW.getTime() + 40 * 60 * 1000) });
    try {
      const snapshot = healthySnapshot();
      const shopApi = serviceOf(snapshot, 'shop-api');
      shopApi.deployments[0] = {
        ...shopApi.deployments[0],
        rolloutState: 'IN_PROGRESS',
        createdAt: minutesAgo(5),
      };
      // 45 minutes old by the faked clock, 5 minutes old at NOW.
      expect(evaluateEnvironment(snapshot).problems.map(p => p.id)).toEqual([
        expect.stringMatching(/shop-api\/deployment\/.*\/rollout-stuck$/),
      ]);
      expect(evaluateEnvironment(snapshot, { now: NOW }).problems).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('summarizeEvaluation', () => {
  it('counts services and problems by severity', () => {
    const evaluation = evaluateEnvironment(troubledSnapshot(), { now: NOW });
    expect(summarizeEvaluation(evaluation)).toEqual({
      status: 'error',
      areas: {
        health: 'error',
        scaling: 'error',
        backup: 'error',
        wellArchitected: 'warning',
        workload: 'ok',
        provisioning: 'ok',
      },
      counts: {
        services: 5,
        servicesWithProblems: 2,
        problems: { critical: 1, high: 4, medium: 0, low: 1 },
      },
    });
  });

  it('counts nothing for a healthy environment', () => {
    expect(
      summarizeEvaluation(evaluateEnvironment(healthySnapshot(), { now: NOW })),
    ).toEqual({
      status: 'ok',
      areas: {
        health: 'ok',
        scaling: 'ok',
        backup: 'ok',
        wellArchitected: 'ok',
        workload: 'ok',
        provisioning: 'ok',
      },
      counts: {
        services: 5,
        servicesWithProblems: 0,
        problems: { critical: 0, high: 0, medium: 0, low: 0 },
      },
    });
  });
});

describe('evaluateUnreadEnvironment', () => {
  it('knows nothing of the areas read from AWS, and what the runs say', () => {
    const failedApply = run({ kind: 'apply', outcome: 'failed' });
    expect(
      evaluateUnreadEnvironment(healthySnapshot().environment, {
        now: NOW,
        runs: [failedApply],
      }),
    ).toEqual({
      environment: 'production',
      status: 'error',
      areas: {
        health: 'unknown',
        scaling: 'unknown',
        backup: 'unknown',
        wellArchitected: 'unknown',
        workload: 'unknown',
        provisioning: 'error',
      },
      services: [],
      problems: [
        expect.objectContaining({ id: 'production/provisioning/apply-failed' }),
      ],
    });
  });

  it('is unknown without runs', () => {
    const evaluation = evaluateUnreadEnvironment(
      healthySnapshot('development').environment,
      { now: NOW },
    );
    expect(evaluation.status).toBe('unknown');
    expect(evaluation.problems).toEqual([]);
    expect(evaluation.areas.provisioning).toBe('ok');
  });
});
