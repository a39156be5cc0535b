import { AwsError } from '../errors';
import type {
  OperationContext,
  RestInput,
  ServiceDefinition,
} from '../protocols/types';
import type { WorkloadSpec } from '../scenario/schema';
import type { EnvironmentWorld } from '../world/simulation';
import { CREATED_AT, DAY } from '../world/time';
import { paginate } from './paging';

type Ctx = OperationContext<RestInput>;

const LENS_ALIAS = 'wellarchitected';
const LENS_ARN = 'arn:aws:wellarchitected::aws:lens/wellarchitected';
const RISKS = [
  'HIGH',
  'MEDIUM',
  'NONE',
  'UNANSWERED',
  'NOT_APPLICABLE',
] as const;

function findWorkload(ctx: Ctx): {
  world: EnvironmentWorld;
  workload: WorkloadSpec;
} {
  const id = ctx.input.path.WorkloadId;
  for (const world of ctx.world.in(ctx.account, ctx.region)) {
    if (world.spec.workload?.id === id)
      return { world, workload: world.spec.workload };
  }
  throw new AwsError(
    'ResourceNotFoundException',
    `No workload found with id ${id}`,
    404,
  );
}

function checkLens(ctx: Ctx) {
  const alias = ctx.input.path.LensAlias;
  if (alias !== LENS_ALIAS && alias !== LENS_ARN) {
    throw new AwsError(
      'ResourceNotFoundException',
      `No lens found with alias ${alias}`,
      404,
    );
  }
}

function totalRisks(workload: WorkloadSpec): Record<string, number> {
  const total: Record<string, number> = Object.fromEntries(
    RISKS.map(r => [r, 0]),
  );
  for (const pillar of workload.pillars) {
    for (const risk of RISKS) total[risk] += pillar.risks[risk];
  }
  return total;
}

function updatedAt(workload: WorkloadSpec, now: number) {
  // the review happened a fixed number of days before "now", at most before creation
  return new Date(
    Math.max(
      CREATED_AT,
      Math.floor((now - workload.updatedDaysAgo * DAY) / DAY) * DAY +
        10 * 3600000,
    ),
  );
}

export const wellArchitected: ServiceDefinition = {
  id: 'wellarchitected',
  protocol: 'restJson',
  errors: {
    validation: 'ValidationException',
    throttling: 'ThrottlingException',
    throttlingStatus: 429,
    accessDenied: 'AccessDeniedException',
    accessDeniedStatus: 403,
  },
  routes: [
    {
      method: 'GET',
      path: '/workloads/{WorkloadId}',
      operation: 'GetWorkload',
    },
    {
      method: 'GET',
      path: '/workloads/{WorkloadId}/lensReviews/{LensAlias}',
      operation: 'GetLensReview',
    },
    {
      method: 'GET',
      path: '/workloads/{WorkloadId}/lensReviews/{LensAlias}/improvements',
      operation: 'ListLensReviewImprovements',
    },
  ],
  operations: {
    GetWorkload: (ctx: Ctx) => {
      const { world, workload } = findWorkload(ctx);
      const risks = totalRisks(workload);
      return {
        Workload: {
          WorkloadId: workload.id,
          WorkloadArn: world.names.workloadArn(workload.id),
          WorkloadName: workload.name,
          Description: workload.description,
          Environment: workload.environment,
          UpdatedAt: updatedAt(workload, ctx.now),
          AccountIds: [world.spec.account],
          AwsRegions: [world.spec.region],
          NonAwsRegions: [],
          ReviewOwner: workload.reviewOwner,
          IsReviewOwnerUpdateAcknowledged: true,
          Notes: '',
          ImprovementStatus:
            risks.HIGH + risks.MEDIUM > 0 ? 'IN_PROGRESS' : 'COMPLETE',
          RiskCounts: risks,
          PillarPriorities: workload.pillars.map(p => p.id),
          Lenses: [LENS_ALIAS],
          Owner: world.spec.account,
          Tags: { 'kler:environment': world.spec.name },
          Applications: [],
          Profiles: [],
        },
      };
    },

    GetLensReview: (ctx: Ctx) => {
      const { workload } = findWorkload(ctx);
      checkLens(ctx);
      return {
        WorkloadId: workload.id,
        LensReview: {
          LensAlias: LENS_ALIAS,
          LensArn: LENS_ARN,
          LensVersion: '2024-06-27',
          LensName: 'AWS Well-Architected Framework',
          LensStatus: 'CURRENT',
          PillarReviewSummaries: workload.pillars.map(pillar => ({
            PillarId: pillar.id,
            PillarName: pillar.name,
            Notes: pillar.notes,
            RiskCounts: pillar.risks,
          })),
          UpdatedAt: updatedAt(workload, ctx.now),
          RiskCounts: totalRisks(workload),
        },
      };
    },

    ListLensReviewImprovements: (ctx: Ctx) => {
      const { workload } = findWorkload(ctx);
      checkLens(ctx);
      const pillar = ctx.input.query.get('PillarId');
      const items = workload.improvements.filter(
        i => !pillar || i.pillarId === pillar,
      );
      const { page, nextToken } = paginate(
        items,
        ctx.input.query.get('NextToken'),
        ctx.input.query.get('MaxResults'),
        {
          defaultSize: 50,
          maxSize: 100,
          errorCode: 'ValidationException',
        },
      );
      return {
        WorkloadId: workload.id,
        LensAlias: LENS_ALIAS,
        LensArn: LENS_ARN,
        ImprovementSummaries: page.map(item => ({
          QuestionId: item.questionId,
          PillarId: item.pillarId,
          QuestionTitle: item.title,
          Risk: item.risk,
          ImprovementPlanUrl: `https://docs.aws.amazon.com/wellarchitected/latest/framework/${item.questionId}.html`,
          ImprovementPlans: [],
        })),
        NextToken: nextToken,
      };
    },
  },
};
