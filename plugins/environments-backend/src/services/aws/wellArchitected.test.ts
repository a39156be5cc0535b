import {
  GetLensReviewCommand,
  GetWorkloadCommand,
  ListLensReviewImprovementsCommand,
} from '@aws-sdk/client-wellarchitected';
import {
  createReader,
  env,
  minutesAgo,
  useAwsMocks,
  wellArchitected,
} from '../../__testUtils__/awsMocks';

useAwsMocks();

describe('AwsEnvironmentReader: Well-Architected', () => {
  it('reads the workload, its lens review and every page of improvements', async () => {
    wellArchitected.on(GetLensReviewCommand).resolves({
      WorkloadId: 'kler-production',
      LensReview: {
        LensAlias: 'wellarchitected',
        LensName: 'AWS Well-Architected Framework',
        UpdatedAt: minutesAgo(60 * 24 * 100),
        RiskCounts: { HIGH: 3, MEDIUM: 4, NONE: 20, UNANSWERED: 30 },
        PillarReviewSummaries: [
          {
            PillarId: 'reliability',
            PillarName: 'Reliability',
            RiskCounts: { HIGH: 2, MEDIUM: 1, NONE: 5, UNANSWERED: 5 },
          },
        ],
      },
    });
    wellArchitected.on(ListLensReviewImprovementsCommand).callsFake(input => ({
      ImprovementSummaries: [
        {
          QuestionId: input.NextToken ? 'rel-2' : 'rel-1',
          PillarId: 'reliability',
          QuestionTitle: 'How do you back up data?',
          Risk: 'HIGH',
          ImprovementPlanUrl: 'https://docs.aws.amazon.com/rel',
        },
      ],
      NextToken: input.NextToken ? undefined : 'more',
    }));

    const snapshot = await createReader().read(env);

    expect(wellArchitected).toHaveReceivedCommandWith(GetLensReviewCommand, {
      WorkloadId: 'kler-production',
      LensAlias: 'wellarchitected',
    });
    expect(snapshot.wellArchitected).toEqual({
      workloadId: 'kler-production',
      workloadName: 'KLER production',
      lensAlias: 'wellarchitected',
      lensName: 'AWS Well-Architected Framework',
      updatedAt: minutesAgo(60 * 24 * 100).toISOString(),
      riskCounts: {
        HIGH: 3,
        MEDIUM: 4,
        NONE: 20,
        UNANSWERED: 30,
        NOT_APPLICABLE: undefined,
      },
      pillars: [
        {
          pillarId: 'reliability',
          pillarName: 'Reliability',
          riskCounts: {
            HIGH: 2,
            MEDIUM: 1,
            NONE: 5,
            UNANSWERED: 5,
            NOT_APPLICABLE: undefined,
          },
        },
      ],
      improvements: [
        expect.objectContaining({ questionId: 'rel-1', risk: 'HIGH' }),
        expect.objectContaining({ questionId: 'rel-2' }),
      ],
    });
  });

  it('reports a Well-Architected failure in its area only', async () => {
    wellArchitected.on(GetWorkloadCommand).rejects(
      Object.assign(new Error('Workload not found'), {
        name: 'ResourceNotFoundException',
      }),
    );
    const snapshot = await createReader().read(env);
    expect(snapshot.wellArchitected).toBeUndefined();
    expect(snapshot.readErrors).toEqual([
      {
        area: 'wellArchitected',
        name: 'ResourceNotFoundException',
        message: 'Well-Architected: Workload not found',
      },
    ]);
  });

  it('skips Well-Architected when the environment has no workload', async () => {
    const { wellArchitectedWorkloadId: _id, ...withoutWorkload } = env;
    const snapshot = await createReader().read(withoutWorkload);
    expect(wellArchitected).not.toHaveReceivedCommand(GetWorkloadCommand);
    expect(snapshot.wellArchitected).toBeUndefined();
    expect(snapshot.readErrors).toEqual([]);
  });
});
