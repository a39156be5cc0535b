import { problemWithSuffix, problemsOf } from '../__fixtures__/evaluate';
import { NOW, healthySnapshot } from '../__fixtures__/snapshots';
import { evaluateEnvironment } from '../evaluateEnvironment';

describe('read error rules', () => {
  it('names the denied action from the AWS message', () => {
    const snapshot = healthySnapshot();
    delete snapshot.backup;
    snapshot.readErrors.push({
      area: 'backup',
      name: 'AccessDeniedException',
      message:
        'User: arn:aws:sts::222222222222:assumed-role/kler-portal-reader/backstage is not authorized to perform: backup:ListBackupJobs on resource: arn:aws:backup:eu-west-1:222222222222:* because no identity-based policy allows the backup:ListBackupJobs action',
    });
    const problem = problemWithSuffix(
      problemsOf(snapshot),
      'read-error/backup',
    );
    expect(problem).toMatchObject({
      id: 'production/read-error/backup',
      area: 'backup',
      severity: 'high',
      consoleUrl: 'https://console.aws.amazon.com/iam/home#/roles',
    });
    expect(problem.explanation).toContain(
      'failed with AccessDeniedException: User: arn:aws:sts::222222222222:assumed-role/kler-portal-reader/backstage is not authorized',
    );
    expect(problem.proposedFix).toContain(
      "Grant the portal's role in account 222222222222 the IAM permission `backup:ListBackupJobs`",
    );
    expect(problem.proposedFix).toContain('backup:GetBackupPlan');
  });

  it('lists every permission of the area when the message names none', () => {
    const snapshot = healthySnapshot('development');
    snapshot.readErrors.push({
      area: 'scaling',
      name: 'AccessDenied',
      message: 'Access denied',
    });
    const problem = problemWithSuffix(
      problemsOf(snapshot),
      'read-error/scaling',
    );
    expect(problem.proposedFix).toContain(
      '`application-autoscaling:DescribeScalableTargets`, `application-autoscaling:DescribeScalingPolicies`, `application-autoscaling:DescribeScalingActivities`, `autoscaling:DescribeAutoScalingGroups`',
    );
  });

  it.each([
    ['ExpiredTokenException', 'aws.accounts'],
    ['ThrottlingException', 'throttled'],
    ['ECONNREFUSED', 'endpoint is reachable'],
  ])('proposes a fix that fits %s', (name, fix) => {
    const snapshot = healthySnapshot();
    snapshot.readErrors.push({ area: 'health', name, message: 'failed' });
    expect(
      problemWithSuffix(problemsOf(snapshot), 'read-error/health').proposedFix,
    ).toContain(fix);
  });

  it('makes the unreadable area unknown, and one problem per area', () => {
    const snapshot = healthySnapshot();
    delete snapshot.wellArchitected;
    snapshot.readErrors.push(
      {
        area: 'wellArchitected',
        name: 'AccessDeniedException',
        message: 'not authorized to perform: wellarchitected:GetLensReview',
      },
      {
        area: 'wellArchitected',
        name: 'AccessDeniedException',
        message:
          'not authorized to perform: wellarchitected:ListLensReviewImprovements',
      },
    );
    const evaluation = evaluateEnvironment(snapshot, { now: NOW });
    expect(evaluation.problems.map(p => p.id)).toEqual([
      'production/read-error/wellArchitected',
    ]);
    expect(evaluation.areas).toEqual({
      health: 'ok',
      scaling: 'ok',
      backup: 'ok',
      wellArchitected: 'unknown',
      workload: 'ok',
      provisioning: 'ok',
    });
    expect(evaluation.status).toBe('error');
    expect(evaluation.services[0].areas.wellArchitected).toBe('unknown');
    expect(evaluation.services[0].status).toBe('ok');
  });
});
