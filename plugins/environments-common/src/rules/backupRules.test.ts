import { problemWithSuffix, problemsOf } from '../__fixtures__/evaluate';
import {
  backupJob,
  daysAgo,
  efsArn,
  healthySnapshot,
  hoursAgo,
  rdsArn,
} from '../__fixtures__/snapshots';
import { resourceIdFromArn } from './backupRules';

describe('backup rules', () => {
  describe('failed jobs', () => {
    it.each([
      ['FAILED', 'production', 'high'],
      ['ABORTED', 'production', 'high'],
      ['EXPIRED', 'production', 'high'],
      ['FAILED', 'development', 'medium'],
    ] as const)('reports a %s job in %s as %s', (state, tier, severity) => {
      const snapshot = healthySnapshot(tier);
      const env = snapshot.environment;
      const job = backupJob(env, rdsArn(env), {
        state,
        creationDate: hoursAgo(2),
        completionDate: hoursAgo(1),
        statusMessage:
          'Insufficient privileges to perform this action on the KMS key.',
      });
      snapshot.backup!.jobs.unshift(job);
      const problem = problemWithSuffix(problemsOf(snapshot), 'job-failed');
      expect(problem).toMatchObject({
        id: `${tier}/backup/shop-database/job-failed`,
        area: 'backup',
        severity,
        resource: rdsArn(env),
        consoleUrl: `https://eu-west-1.console.aws.amazon.com/backup/home?region=eu-west-1#/jobs/backup/details/${job.backupJobId}`,
      });
      expect(problem.explanation).toContain(
        `Latest: job ${job.backupJobId} ${state}`,
      );
      expect(problem.explanation).toContain('KMS key');
      expect(problem.explanation).toContain('No job has completed since.');
      expect(problem.proposedFix).toContain(
        `aws backup start-backup-job --backup-vault-name kler-${tier} --resource-arn ${rdsArn(
          env,
        )}`,
      );
    });

    it('lowers the severity when a later job completed', () => {
      const snapshot = healthySnapshot();
      const env = snapshot.environment;
      snapshot.backup!.jobs.push(
        backupJob(env, efsArn(env), {
          state: 'FAILED',
          creationDate: hoursAgo(31),
          completionDate: hoursAgo(30),
        }),
      );
      const problem = problemWithSuffix(problemsOf(snapshot), 'job-failed');
      expect(problem.severity).toBe('low');
      expect(problem.explanation).toContain('A later job');
    });

    it('reports PARTIAL jobs as medium, low in development', () => {
      for (const [tier, severity] of [
        ['production', 'medium'],
        ['development', 'low'],
      ] as const) {
        const snapshot = healthySnapshot(tier);
        const env = snapshot.environment;
        snapshot.backup!.jobs.push(
          backupJob(env, efsArn(env), {
            state: 'PARTIAL',
            creationDate: hoursAgo(50),
          }),
        );
        const problem = problemWithSuffix(problemsOf(snapshot), 'job-partial');
        expect(problem.severity).toBe(severity);
        expect(problem.id).toBe(
          `${tier}/backup/${resourceIdFromArn(efsArn(env))}/job-partial`,
        );
      }
    });

    it('ignores jobs older than 7 days', () => {
      const snapshot = healthySnapshot();
      const env = snapshot.environment;
      snapshot.backup!.jobs.push(
        backupJob(env, efsArn(env), {
          state: 'FAILED',
          creationDate: daysAgo(7.1),
        }),
      );
      expect(problemsOf(snapshot)).toEqual([]);
      expect(problemsOf(snapshot, { backupJobWindowDays: 8 })).toHaveLength(1);
    });
  });

  describe('recovery point objective', () => {
    it.each([
      [35, undefined, false],
      [36, undefined, false],
      [36.5, undefined, true],
      [47, 2, false],
      [49, 2, true],
    ])(
      'a recovery point %d h old with grace %p breaches a 24 h RPO: %p',
      (ageHours, grace, breached) => {
        const snapshot = healthySnapshot();
        const env = snapshot.environment;
        snapshot.backup!.protectedResources =
          snapshot.backup!.protectedResources.map(resource =>
            resource.resourceArn === rdsArn(env)
              ? {
                  ...resource,
                  lastBackupTime: hoursAgo(ageHours),
                  latestRecoveryPointAt: hoursAgo(ageHours),
                }
              : resource,
          );
        const problems = problemsOf(snapshot, { rpoGraceFactor: grace });
        expect(problems.map(p => p.id)).toEqual(
          breached ? ['production/backup/shop-database/rpo-breach'] : [],
        );
      },
    );

    it('explains the breach with the ages and the plan', () => {
      const snapshot = healthySnapshot('development');
      snapshot.backup!.protectedResources[0].lastBackupTime = daysAgo(3);
      snapshot.backup!.protectedResources[0].latestRecoveryPointAt = daysAgo(3);
      const problem = problemWithSuffix(problemsOf(snapshot), 'rpo-breach');
      expect(problem.severity).toBe('medium');
      expect(problem.title).toBe('Latest backup of shop-media is too old');
      expect(problem.explanation).toContain(
        'is 3 days old; plan development-daily backs it up every 24 h, so it should be at most 36 h old (1.5x the interval)',
      );
      expect(problem.consoleUrl).toBe(
        `https://eu-west-1.console.aws.amazon.com/backup/home?region=eu-west-1#/resources/${encodeURIComponent(
          efsArn(snapshot.environment),
        )}`,
      );
    });

    it('derives the interval from the schedule when frequencyHours is missing', () => {
      const snapshot = healthySnapshot();
      const rule = snapshot.backup!.plans[0].rules[0];
      delete rule.frequencyHours;
      rule.scheduleExpression = 'cron(0 */12 ? * * *)';
      snapshot.backup!.protectedResources[0].lastBackupTime = hoursAgo(19);
      snapshot.backup!.protectedResources[0].latestRecoveryPointAt =
        hoursAgo(19);
      expect(problemsOf(snapshot).map(p => p.id)).toEqual([
        `production/backup/${resourceIdFromArn(
          efsArn(snapshot.environment),
        )}/rpo-breach`,
      ]);
    });
  });

  describe('unprotected resources', () => {
    it.each([
      ['production', 'critical'],
      ['development', 'low'],
    ] as const)(
      'reports a candidate no plan selects in %s as %s',
      (tier, severity) => {
        const snapshot = healthySnapshot(tier);
        const env = snapshot.environment;
        snapshot.backup!.plans[0].resourceArns = [efsArn(env)];
        const problem = problemWithSuffix(
          problemsOf(snapshot),
          'not-in-backup-plan',
        );
        expect(problem).toMatchObject({
          id: `${tier}/backup/shop-database/not-in-backup-plan`,
          severity,
          resource: rdsArn(env),
          consoleUrl:
            'https://eu-west-1.console.aws.amazon.com/backup/home?region=eu-west-1#/backupplan',
        });
        expect(problem.proposedFix).toContain(
          'aws backup create-backup-selection',
        );
      },
    );

    it('accepts selections with wildcard ARNs', () => {
      const snapshot = healthySnapshot();
      snapshot.backup!.plans[0].resourceArns = [
        'arn:aws:elasticfilesystem:*:*:file-system/*',
        'arn:aws:rds:eu-west-1:222222222222:db:*',
      ];
      expect(problemsOf(snapshot)).toEqual([]);
    });

    it('takes resources selected by tag conditions as backed up, and reports those without the tags', () => {
      const snapshot = healthySnapshot();
      const env = snapshot.environment;
      const backup = snapshot.backup!;
      // kler-environment's selection: every resource tagged with the
      // environment and kler:backup=true, no ARN listed.
      backup.plans[0].resourceArns = ['*'];
      backup.plans[0].selections = [
        {
          resources: ['*'],
          notResources: [],
          anyOfTags: [],
          conditions: {
            stringEquals: [
              { key: 'kler:environment', value: env.name },
              { key: 'kler:backup', value: 'true' },
            ],
            stringNotEquals: [],
            stringLike: [],
            stringNotLike: [],
          },
        },
      ];
      for (const candidate of backup.candidates) {
        candidate.tags = {
          'kler:environment': env.name,
          'kler:backup': 'true',
        };
      }
      expect(problemsOf(snapshot)).toEqual([]);

      backup.candidates[1].tags = { 'kler:environment': env.name };
      expect(problemsOf(snapshot)).toEqual([
        expect.objectContaining({
          id: `${env.name}/backup/shop-database/not-in-backup-plan`,
          title: 'shop-database is not backed up',
        }),
      ]);
    });

    it('takes resources selected by ListOfTags as backed up', () => {
      const snapshot = healthySnapshot();
      const env = snapshot.environment;
      const backup = snapshot.backup!;
      backup.plans[0].resourceArns = [];
      backup.plans[0].selections = [
        {
          resources: [],
          notResources: [],
          anyOfTags: [{ key: 'kler:environment', value: env.name }],
          conditions: {
            stringEquals: [],
            stringNotEquals: [],
            stringLike: [],
            stringNotLike: [],
          },
        },
      ];
      for (const candidate of backup.candidates) {
        candidate.tags = { 'kler:environment': env.name };
      }
      expect(problemsOf(snapshot)).toEqual([]);
    });

    it('reports a selected resource without any recovery point', () => {
      const snapshot = healthySnapshot();
      const env = snapshot.environment;
      snapshot.backup!.protectedResources =
        snapshot.backup!.protectedResources.filter(
          r => r.resourceArn !== rdsArn(env),
        );
      snapshot.backup!.jobs = snapshot.backup!.jobs.filter(
        j => j.resourceArn !== rdsArn(env),
      );
      const problem = problemWithSuffix(
        problemsOf(snapshot),
        'no-recovery-point',
      );
      expect(problem.severity).toBe('medium');
      expect(problem.explanation).toContain(
        'selected by plan production-daily but the vault kler-production holds no recovery point',
      );

      // A first backup that is running is on its way.
      snapshot.backup!.jobs.push(
        backupJob(env, rdsArn(env), {
          state: 'RUNNING',
          creationDate: hoursAgo(0.2),
          completionDate: undefined,
        }),
      );
      expect(problemsOf(snapshot)).toEqual([]);
    });

    it('reports a production environment without any backup plan', () => {
      const snapshot = healthySnapshot();
      snapshot.backup!.plans = [];
      const problems = problemsOf(snapshot);
      expect(problems.map(p => [p.id, p.severity])).toEqual([
        [
          `production/backup/${resourceIdFromArn(
            efsArn(snapshot.environment),
          )}/not-in-backup-plan`,
          'critical',
        ],
        ['production/backup/no-backup-plan', 'critical'],
        ['production/backup/shop-database/not-in-backup-plan', 'critical'],
      ]);
    });

    it('does not require a plan in development', () => {
      const snapshot = healthySnapshot('development');
      snapshot.backup!.plans = [];
      snapshot.backup!.candidates = [];
      expect(problemsOf(snapshot)).toEqual([]);
    });
  });

  it('takes resource ids from EFS and RDS ARNs', () => {
    expect(
      resourceIdFromArn(
        'arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/fs-0c3f1a9e27b5d4e68',
      ),
    ).toBe('fs-0c3f1a9e27b5d4e68');
    expect(
      resourceIdFromArn('arn:aws:rds:eu-west-1:222222222222:db:shop-database'),
    ).toBe('shop-database');
  });
});
