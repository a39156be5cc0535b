import {
  GetLensReviewCommand,
  GetWorkloadCommand,
  ListLensReviewImprovementsCommand,
  paginateListLensReviewImprovements,
  WellArchitectedClient,
} from '@aws-sdk/client-wellarchitected';
import type { RunningSandbox } from '../server';
import { clientConfig, PRODUCTION, startKlerSandbox } from '../testUtils';

describe('Well-Architected', () => {
  let sandbox: RunningSandbox;
  let client: WellArchitectedClient;
  beforeAll(async () => {
    sandbox = await startKlerSandbox();
    client = new WellArchitectedClient(clientConfig(sandbox.url, PRODUCTION));
  });
  afterAll(() => sandbox.close());

  it('gets the workload with its risk counts', async () => {
    const { Workload } = await client.send(
      new GetWorkloadCommand({ WorkloadId: 'kler-production' }),
    );
    expect(Workload).toMatchObject({
      WorkloadId: 'kler-production',
      Environment: 'PRODUCTION',
      Lenses: ['wellarchitected'],
    });
    expect(Workload!.RiskCounts!.HIGH).toBe(3);
    expect(Workload!.UpdatedAt).toBeInstanceOf(Date);
  });

  it('gets the lens review per pillar', async () => {
    const { LensReview } = await client.send(
      new GetLensReviewCommand({
        WorkloadId: 'kler-production',
        LensAlias: 'wellarchitected',
      }),
    );
    const security = LensReview!.PillarReviewSummaries!.find(
      p => p.PillarId === 'security',
    )!;
    expect(security.RiskCounts).toEqual({
      HIGH: 2,
      MEDIUM: 1,
      NONE: 8,
      UNANSWERED: 0,
      NOT_APPLICABLE: 0,
    });
    expect(LensReview!.RiskCounts!.HIGH).toBe(3);
  });

  it('pages through the improvements', async () => {
    const items = [];
    for await (const page of paginateListLensReviewImprovements(
      { client, pageSize: 5 },
      { WorkloadId: 'kler-production', LensAlias: 'wellarchitected' },
    )) {
      items.push(...page.ImprovementSummaries!);
    }
    expect(items).toHaveLength(12);
    expect(items.filter(i => i.Risk === 'HIGH')).toHaveLength(3);
  });

  it('answers ResourceNotFoundException with 404 for an unknown workload or lens', async () => {
    await expect(
      client.send(new GetWorkloadCommand({ WorkloadId: 'kler-development' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      client.send(
        new ListLensReviewImprovementsCommand({
          WorkloadId: 'kler-production',
          LensAlias: 'serverless',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
