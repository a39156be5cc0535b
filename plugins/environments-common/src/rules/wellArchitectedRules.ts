import {
  wellArchitectedLensReviewConsoleUrl,
  wellArchitectedWorkloadConsoleUrl,
} from '../consoleUrls';
import { Problem, WellArchitectedImprovement } from '../types';
import {
  DAY_MS,
  RuleContext,
  ageInMs,
  createProblem,
  plural,
  severityForTier,
} from './context';

/** The AWS error GetWorkload gives for a workload id that does not exist. */
export const WORKLOAD_NOT_FOUND_ERROR = 'ResourceNotFoundException';

export function isMissingWorkloadError(context: RuleContext): boolean {
  return context.snapshot.readErrors.some(
    error =>
      error.area === 'wellArchitected' &&
      error.name === WORKLOAD_NOT_FOUND_ERROR,
  );
}

function pillarName(context: RuleContext, pillarId: string): string {
  return (
    context.snapshot.wellArchitected?.pillars.find(p => p.pillarId === pillarId)
      ?.pillarName ?? pillarId
  );
}

/** Each high-risk question of the lens review. */
export function detectHighRisks(context: RuleContext): Problem[] {
  const review = context.snapshot.wellArchitected;
  if (!review) {
    return [];
  }
  const { region } = context.environment;
  return review.improvements
    .filter(improvement => improvement.risk === 'HIGH')
    .map(improvement =>
      createProblem(context, {
        idSuffix: `well-architected/${improvement.pillarId}/${improvement.questionId}/high-risk`,
        area: 'wellArchitected',
        severity: severityForTier(context, 'high', 'medium'),
        title: `High risk: ${improvement.questionTitle}`,
        explanation:
          `The ${review.lensName ?? review.lensAlias} review of workload ` +
          `${review.workloadName} rates "${improvement.questionTitle}" ` +
          `(${pillarName(context, improvement.pillarId)}) as a high risk.`,
        proposedFix:
          `Carry out the improvement plan${
            improvement.improvementPlanUrl
              ? ` (${improvement.improvementPlanUrl})`
              : ''
          } for this question, then answer it again in the lens review so that ` +
          `the risk is re-rated.`,
        consoleUrl: wellArchitectedLensReviewConsoleUrl(
          region,
          review.workloadId,
          review.lensAlias,
        ),
        resource: review.workloadId,
      }),
    );
}

/** Medium risks, one summary per pillar. */
export function detectMediumRisks(context: RuleContext): Problem[] {
  const review = context.snapshot.wellArchitected;
  if (!review) {
    return [];
  }
  const byPillar = new Map<string, WellArchitectedImprovement[]>();
  for (const improvement of review.improvements) {
    if (improvement.risk === 'MEDIUM') {
      byPillar.set(improvement.pillarId, [
        ...(byPillar.get(improvement.pillarId) ?? []),
        improvement,
      ]);
    }
  }
  // Pillars may count medium risks the improvement list did not return.
  for (const pillar of review.pillars) {
    if (pillar.riskCounts.MEDIUM > 0 && !byPillar.has(pillar.pillarId)) {
      byPillar.set(pillar.pillarId, []);
    }
  }
  return [...byPillar.entries()].map(([pillarId, improvements]) => {
    const counted =
      review.pillars.find(p => p.pillarId === pillarId)?.riskCounts.MEDIUM ?? 0;
    const count = Math.max(counted, improvements.length);
    const name = pillarName(context, pillarId);
    return createProblem(context, {
      idSuffix: `well-architected/${pillarId}/medium-risks`,
      area: 'wellArchitected',
      severity: 'low',
      title: `${plural(count, 'medium risk')} in ${name}`,
      explanation: `The lens review of ${review.workloadName} rates ${plural(
        count,
        'question',
      )} of ${name} as medium risk${
        improvements.length > 0
          ? `: ${improvements.map(i => i.questionTitle).join('; ')}.`
          : '.'
      }`,
      proposedFix:
        `Plan the improvements of ${name} in the team's backlog, starting with the ` +
        `questions whose improvement plan is cheapest, and update the answers ` +
        `after each change.`,
      consoleUrl: wellArchitectedLensReviewConsoleUrl(
        context.environment.region,
        review.workloadId,
        review.lensAlias,
      ),
      resource: review.workloadId,
    });
  });
}

/** A lens review that has not been updated for a long time. */
export function detectOutdatedReview(context: RuleContext): Problem[] {
  const review = context.snapshot.wellArchitected;
  const age = ageInMs(context, review?.updatedAt);
  const maxAgeDays = context.thresholds.wellArchitectedReviewMaxAgeDays;
  if (!review || age === undefined || age <= maxAgeDays * DAY_MS) {
    return [];
  }
  return [
    createProblem(context, {
      idSuffix: 'well-architected/review-outdated',
      area: 'wellArchitected',
      severity: 'medium',
      title: `Well-Architected review of ${review.workloadName} is outdated`,
      explanation:
        `The ${review.lensName ?? review.lensAlias} review was last updated ` +
        `${Math.floor(age / DAY_MS)} days ago (${
          review.updatedAt
        }); reviews older ` +
        `than ${maxAgeDays} days no longer describe the workload.`,
      proposedFix:
        `Walk through the review again with the team, update the answers and save ` +
        `a milestone (\`aws wellarchitected create-milestone --workload-id ` +
        `${review.workloadId} --milestone-name <date> --region ${context.environment.region}\`).`,
      consoleUrl: wellArchitectedLensReviewConsoleUrl(
        context.environment.region,
        review.workloadId,
        review.lensAlias,
      ),
      resource: review.workloadId,
    }),
  ];
}

/**
 * A production environment without a Well-Architected workload, or any
 * environment whose named workload does not exist.
 */
export function detectMissingWorkload(context: RuleContext): Problem[] {
  const { tier, wellArchitectedWorkloadId, region, name } = context.environment;
  if (context.snapshot.wellArchitected) {
    return [];
  }
  const notFound = isMissingWorkloadError(context);
  const unnamedInProduction =
    !wellArchitectedWorkloadId && tier === 'production';
  if (!notFound && !unnamedInProduction) {
    return [];
  }
  return [
    createProblem(context, {
      idSuffix: 'well-architected/workload-missing',
      area: 'wellArchitected',
      severity: severityForTier(context, 'medium', 'low'),
      title: `Environment ${name} has no Well-Architected workload`,
      explanation: notFound
        ? `The workload ${wellArchitectedWorkloadId} named by the environment does ` +
          `not exist in account ${context.environment.accountId} (${region}).`
        : `The production environment names no Well-Architected workload, so its ` +
          `architecture is not reviewed.`,
      proposedFix:
        `Define the workload in the Well-Architected Tool with the wellarchitected ` +
        `lens and set its id in the annotation kler.io/well-architected-workload-id ` +
        `of the environment's catalog Resource.`,
      consoleUrl: wellArchitectedWorkloadConsoleUrl(region),
      resource: wellArchitectedWorkloadId,
    }),
  ];
}

export const wellArchitectedRules = [
  detectHighRisks,
  detectMediumRisks,
  detectOutdatedReview,
  detectMissingWorkload,
];
