import {
  GetLensReviewCommand,
  GetWorkloadCommand,
  ImprovementSummary,
  ListLensReviewImprovementsCommand,
} from '@aws-sdk/client-wellarchitected';
import {
  RiskCounts,
  WellArchitectedReview,
} from '@kler/plugin-environments-common';
import { collectPages } from './concurrency';
import { ReadContext } from './types';

/** The AWS Well-Architected Framework lens. */
export const WELL_ARCHITECTED_LENS_ALIAS = 'wellarchitected';

/** Reads the environment's Well-Architected workload review: risk counts and improvements. */
export async function readWellArchitected(
  ctx: ReadContext,
  workloadId: string,
): Promise<WellArchitectedReview> {
  const { clients, limit, sendOptions } = ctx;
  const [workload, lensReview, improvements] = await Promise.all([
    limit('GetWorkload', () =>
      clients.wellArchitected.send(
        new GetWorkloadCommand({ WorkloadId: workloadId }),
        sendOptions,
      ),
    ),
    limit('GetLensReview', () =>
      clients.wellArchitected.send(
        new GetLensReviewCommand({
          WorkloadId: workloadId,
          LensAlias: WELL_ARCHITECTED_LENS_ALIAS,
        }),
        sendOptions,
      ),
    ),
    collectPages<ImprovementSummary>(async NextToken => {
      const page = await limit('ListLensReviewImprovements', () =>
        clients.wellArchitected.send(
          new ListLensReviewImprovementsCommand({
            WorkloadId: workloadId,
            LensAlias: WELL_ARCHITECTED_LENS_ALIAS,
            NextToken,
          }),
          sendOptions,
        ),
      );
      return { items: page.ImprovementSummaries, nextToken: page.NextToken };
    }),
  ]);

  const review = lensReview.LensReview;
  return {
    workloadId,
    workloadName: workload.Workload?.WorkloadName ?? workloadId,
    lensAlias: review?.LensAlias ?? WELL_ARCHITECTED_LENS_ALIAS,
    lensName: review?.LensName,
    updatedAt: review?.UpdatedAt?.toISOString(),
    riskCounts: toRiskCounts(review?.RiskCounts),
    pillars: (review?.PillarReviewSummaries ?? []).map(pillar => ({
      pillarId: pillar.PillarId ?? '',
      pillarName: pillar.PillarName ?? pillar.PillarId ?? '',
      riskCounts: toRiskCounts(pillar.RiskCounts),
    })),
    improvements: improvements.map(improvement => ({
      pillarId: improvement.PillarId ?? '',
      questionId: improvement.QuestionId ?? '',
      questionTitle: improvement.QuestionTitle ?? '',
      risk: improvement.Risk ?? 'UNANSWERED',
      improvementPlanUrl: improvement.ImprovementPlanUrl,
    })),
  };
}

function toRiskCounts(counts: Record<string, number> | undefined): RiskCounts {
  return {
    HIGH: counts?.HIGH ?? 0,
    MEDIUM: counts?.MEDIUM ?? 0,
    NONE: counts?.NONE ?? 0,
    UNANSWERED: counts?.UNANSWERED ?? 0,
    NOT_APPLICABLE: counts?.NOT_APPLICABLE,
  };
}
