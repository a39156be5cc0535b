import { problemWithSuffix, problemsOf } from '../__fixtures__/evaluate';
import {
  daysAgo,
  healthySnapshot,
  improvement,
  wellArchitectedReview,
} from '../__fixtures__/snapshots';

const RELIABILITY_HIGH = improvement(
  'reliability',
  'rel-back-up-data',
  'How do you back up data?',
  'HIGH',
);

describe('Well-Architected rules', () => {
  it.each([
    ['production', 'high'],
    ['development', 'medium'],
  ] as const)('reports each high risk in %s as %s', (tier, severity) => {
    const snapshot = healthySnapshot(tier);
    snapshot.wellArchitected = wellArchitectedReview(snapshot.environment, [
      RELIABILITY_HIGH,
      improvement(
        'security',
        'sec-data-protection-at-rest',
        'How do you protect your data at rest?',
        'HIGH',
      ),
      improvement(
        'security',
        'sec-identities',
        'How do you manage identities?',
        'NONE',
      ),
    ]);
    const problems = problemsOf(snapshot);
    expect(problems.map(p => [p.id, p.severity])).toEqual([
      [
        `${tier}/well-architected/reliability/rel-back-up-data/high-risk`,
        severity,
      ],
      [
        `${tier}/well-architected/security/sec-data-protection-at-rest/high-risk`,
        severity,
      ],
    ]);
    const [backUpData] = problems;
    expect(backUpData.title).toBe('High risk: How do you back up data?');
    expect(backUpData.explanation).toContain('(Reliability)');
    expect(backUpData.proposedFix).toContain(
      'https://docs.aws.amazon.com/wellarchitected/latest/framework/rel-back-up-data.html',
    );
    expect(backUpData.consoleUrl).toBe(
      `https://eu-west-1.console.aws.amazon.com/wellarchitected/home?region=eu-west-1#/workload/kler-${tier}/lens/wellarchitected`,
    );
  });

  it('summarises medium risks into one low problem per pillar', () => {
    const snapshot = healthySnapshot();
    snapshot.wellArchitected = wellArchitectedReview(snapshot.environment, [
      improvement(
        'costOptimization',
        'cost-1',
        'How do you govern usage?',
        'MEDIUM',
      ),
      improvement(
        'costOptimization',
        'cost-2',
        'How do you monitor usage and cost?',
        'MEDIUM',
      ),
      improvement(
        'performance',
        'perf-1',
        'How do you select the best performing architecture?',
        'MEDIUM',
      ),
    ]);
    const problems = problemsOf(snapshot);
    expect(problems.map(p => [p.id, p.severity])).toEqual([
      ['production/well-architected/costOptimization/medium-risks', 'low'],
      ['production/well-architected/performance/medium-risks', 'low'],
    ]);
    expect(problems[0].title).toBe('2 medium risks in Cost Optimization');
    expect(problems[0].explanation).toContain(
      'How do you govern usage?; How do you monitor usage and cost?',
    );
  });

  it('counts medium risks the pillar reports beyond the listed improvements', () => {
    const snapshot = healthySnapshot();
    const review = wellArchitectedReview(snapshot.environment);
    review.pillars.find(
      p => p.pillarId === 'sustainability',
    )!.riskCounts.MEDIUM = 3;
    snapshot.wellArchitected = review;
    const problem = problemWithSuffix(problemsOf(snapshot), 'medium-risks');
    expect(problem.title).toBe('3 medium risks in Sustainability');
  });

  it.each([
    [90, undefined, false],
    [91, undefined, true],
    [91, 120, false],
  ])(
    'a review updated %d days ago with a limit of %p days is outdated: %p',
    (age, limit, outdated) => {
      const snapshot = healthySnapshot('development');
      snapshot.wellArchitected!.updatedAt = daysAgo(age);
      const problems = problemsOf(snapshot, {
        wellArchitectedReviewMaxAgeDays: limit,
      });
      expect(problems.map(p => [p.id, p.severity])).toEqual(
        outdated
          ? [['development/well-architected/review-outdated', 'medium']]
          : [],
      );
    },
  );

  it('reports a production environment without a workload', () => {
    const snapshot = healthySnapshot();
    delete snapshot.environment.wellArchitectedWorkloadId;
    delete snapshot.wellArchitected;
    const problem = problemWithSuffix(problemsOf(snapshot), 'workload-missing');
    expect(problem).toMatchObject({
      id: 'production/well-architected/workload-missing',
      severity: 'medium',
      consoleUrl:
        'https://eu-west-1.console.aws.amazon.com/wellarchitected/home?region=eu-west-1#/workloads',
    });
  });

  it('does not require a workload in development', () => {
    const snapshot = healthySnapshot('development');
    delete snapshot.environment.wellArchitectedWorkloadId;
    delete snapshot.wellArchitected;
    expect(problemsOf(snapshot)).toEqual([]);
  });

  it('reports a named workload that does not exist instead of a read error', () => {
    const snapshot = healthySnapshot();
    delete snapshot.wellArchitected;
    snapshot.readErrors.push({
      area: 'wellArchitected',
      name: 'ResourceNotFoundException',
      message: 'No workload found with id kler-production',
    });
    const problems = problemsOf(snapshot);
    expect(problems.map(p => p.id)).toEqual([
      'production/well-architected/workload-missing',
    ]);
    expect(problems[0].explanation).toContain(
      'The workload kler-production named by the environment does not exist in account 222222222222',
    );
  });
});
