import { NO_CHANGES, changes, run } from '../__fixtures__/runs';
import { NOW, healthySnapshot, minutesAgo } from '../__fixtures__/snapshots';
import { evaluateEnvironment } from '../evaluateEnvironment';
import { EnvironmentRun, EnvironmentTier } from '../types';
import { describeRunSummary, latestRunOf } from './runRules';

function evaluate(
  runs: EnvironmentRun[],
  tier: EnvironmentTier = 'production',
) {
  return evaluateEnvironment(healthySnapshot(tier), { now: NOW, runs });
}

function problemIds(runs: EnvironmentRun[]) {
  return evaluate(runs).problems.map(p => p.id);
}

describe('run rules', () => {
  describe('a failed apply', () => {
    it('is an error of the provisioning area with the run to open and the fix', () => {
      const failed = run({
        kind: 'apply',
        outcome: 'failed',
        at: minutesAgo(125),
        link: '/create/tasks/4c1e',
        message:
          'terraform apply failed (exit code 1): Error: creating ECS Service (shop-api): InvalidParameterException: The target group does not have an associated load balancer.',
      });
      const evaluation = evaluate([failed]);
      expect(evaluation.problems).toEqual([
        expect.objectContaining({
          id: 'production/provisioning/apply-failed',
          environment: 'production',
          area: 'provisioning',
          severity: 'high',
          title: 'Last apply of production failed',
          runUrl: '/create/tasks/4c1e',
        }),
      ]);
      const [problem] = evaluation.problems;
      expect(problem.explanation).toContain(
        'The Terraform apply of production 2 h 5 min ago (2026-11-26T09:55:00.000Z), started by user:default/alice from the portal, failed: terraform apply failed (exit code 1): Error: creating ECS Service (shop-api)',
      );
      expect(problem.proposedFix).toContain(
        'Open the run (/create/tasks/4c1e) and read the error',
      );
      expect(problem.proposedFix).toContain(
        'plan again and apply the new plan',
      );
      expect(problem.proposedFix).toContain('environments/production');
      expect(evaluation.areas.provisioning).toBe('error');
      expect(evaluation.status).toBe('error');
    });

    it('says an interrupted apply was interrupted, what its state holds, and to plan again', () => {
      const interrupted = run({
        kind: 'apply',
        outcome: 'failed',
        at: minutesAgo(10),
        link: '/create/tasks/77aa',
        message:
          "Interrupted: this task's apply of its plan (40 to add) started at 2026-11-26T11:49:00.000Z on host ip-10-0-1-23 and stopped before it finished. Terraform's state (serial 12) holds 11 resources.",
      });
      const evaluation = evaluate([interrupted]);
      expect(evaluation.problems).toEqual([
        expect.objectContaining({
          id: 'production/provisioning/apply-failed',
          area: 'provisioning',
          severity: 'high',
          title: 'Last apply of production was interrupted',
          runUrl: '/create/tasks/77aa',
        }),
      ]);
      const [problem] = evaluation.problems;
      expect(problem.explanation).toContain(
        "was interrupted: this task's apply of its plan (40 to add) started at",
      );
      expect(problem.explanation).not.toContain('Interrupted:');
      expect(problem.proposedFix).toContain(
        'Plan the environment again against its state as it is now',
      );
      expect(problem.proposedFix).toContain('environments/production');
      expect(problem.proposedFix).toContain('look in account 222222222222');
      expect(evaluation.status).toBe('error');
    });

    it('names the pipeline that ran it', () => {
      const [problem] = evaluate([
        run({
          kind: 'apply',
          outcome: 'failed',
          source: 'pipeline',
          actor: 'github-actions:kler/environments',
          link: 'https://github.com/kler/environments/actions/runs/42',
        }),
      ]).problems;
      expect(problem.explanation).toContain(
        "started by github-actions:kler/environments from the environment repository's pipeline",
      );
      expect(problem.runUrl).toBe(
        'https://github.com/kler/environments/actions/runs/42',
      );
    });

    it('clears when a later apply succeeds, and not for a later skipped one', () => {
      const failed = run({
        kind: 'apply',
        outcome: 'failed',
        at: minutesAgo(60),
      });
      expect(
        problemIds([
          run({ kind: 'apply', outcome: 'succeeded', at: minutesAgo(10) }),
          failed,
        ]),
      ).toEqual([]);
      expect(
        problemIds([
          run({ kind: 'apply', outcome: 'skipped', at: minutesAgo(10) }),
          run({ kind: 'plan', outcome: 'succeeded', at: minutesAgo(5) }),
          failed,
        ]),
      ).toEqual(['production/provisioning/apply-failed']);
    });

    it('counts the latest apply by time, whatever the order given', () => {
      expect(
        problemIds([
          run({ kind: 'apply', outcome: 'succeeded', at: minutesAgo(90) }),
          run({ kind: 'apply', outcome: 'failed', at: minutesAgo(20) }),
        ]),
      ).toEqual(['production/provisioning/apply-failed']);
    });

    it('is no problem when only plans failed', () => {
      expect(problemIds([run({ kind: 'plan', outcome: 'failed' })])).toEqual(
        [],
      );
    });
  });

  describe('drift', () => {
    const drifted = (at = minutesAgo(15)) =>
      run({
        kind: 'drift',
        source: 'schedule',
        actor: 'plugin:scaffolder',
        outcome: 'succeeded',
        at,
        link: undefined,
        summary: changes(),
        message: 'Drift: 2 to add, 1 to change, 0 to destroy, 0 to replace',
      });

    it('is a warning saying what differs, by resource type, and the fix', () => {
      const evaluation = evaluate([drifted()]);
      expect(evaluation.problems).toEqual([
        expect.objectContaining({
          id: 'production/provisioning/drift',
          area: 'provisioning',
          severity: 'medium',
          title: 'production differs from its code',
        }),
      ]);
      const [problem] = evaluation.problems;
      expect(problem.explanation).toContain(
        'found that applying the code would make changes: 2 to add, 1 to change (aws_ecs_service: 2 to add; aws_security_group: 1 to change)',
      );
      expect(problem.proposedFix).toContain(
        "plan and apply the environment's code (environments/production)",
      );
      expect(problem.proposedFix).toContain('change the code to match');
      expect(evaluation.areas.provisioning).toBe('warning');
      expect(evaluation.status).toBe('warning');
    });

    it('is low in development', () => {
      const [problem] = evaluate([drifted()], 'development').problems;
      expect(problem.severity).toBe('low');
      expect(problem.id).toBe('development/provisioning/drift');
    });

    it('is no problem when the check found nothing', () => {
      expect(
        problemIds([
          run({
            kind: 'drift',
            source: 'schedule',
            outcome: 'succeeded',
            summary: NO_CHANGES,
          }),
        ]),
      ).toEqual([]);
    });

    it('counts output changes as drift', () => {
      const [problem] = evaluate([
        run({
          kind: 'drift',
          source: 'schedule',
          outcome: 'succeeded',
          summary: { ...NO_CHANGES, outputChanges: 2 },
        }),
      ]).problems;
      expect(problem.explanation).toContain(
        'no resource changes, 2 outputs to change.',
      );
    });

    it('clears when an apply succeeds after the check, until the next check', () => {
      const apply = run({
        kind: 'apply',
        outcome: 'succeeded',
        at: minutesAgo(5),
      });
      expect(problemIds([apply, drifted(minutesAgo(15))])).toEqual([]);
      expect(problemIds([drifted(minutesAgo(1)), apply])).toEqual([
        'production/provisioning/drift',
      ]);
    });

    it('is a low problem when the check itself failed', () => {
      const [problem] = evaluate([
        run({
          kind: 'drift',
          source: 'schedule',
          outcome: 'failed',
          message:
            'terraform init failed: Error: Failed to get existing workspaces: S3 bucket does not exist.',
        }),
        drifted(minutesAgo(600)),
      ]).problems;
      expect(problem).toMatchObject({
        id: 'production/provisioning/drift-check-failed',
        severity: 'low',
      });
      expect(problem.explanation).toContain(
        'failed: terraform init failed: Error: Failed to get existing workspaces',
      );
    });

    it('ignores a skipped check', () => {
      expect(
        problemIds([
          run({ kind: 'drift', source: 'schedule', outcome: 'skipped' }),
          drifted(minutesAgo(600)),
        ]),
      ).toEqual(['production/provisioning/drift']);
    });
  });

  it('latestRunOf keeps the first of runs of the same time', () => {
    const at = minutesAgo(3);
    const first = run({ kind: 'apply', outcome: 'failed', at });
    const second = run({ kind: 'apply', outcome: 'succeeded', at });
    expect(latestRunOf([first, second], 'apply')).toBe(first);
  });

  it('describeRunSummary leaves out types without resource changes', () => {
    expect(
      describeRunSummary(
        changes({
          byType: {
            ...changes().byType,
            aws_iam_role: { add: 0, change: 0, destroy: 0, replace: 0 },
          },
        }),
      ),
    ).toBe(
      '2 to add, 1 to change (aws_ecs_service: 2 to add; aws_security_group: 1 to change)',
    );
  });
});
