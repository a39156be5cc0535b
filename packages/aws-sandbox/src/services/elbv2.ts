import { AwsError, requireMember } from '../errors';
import type { OperationContext, ServiceDefinition } from '../protocols/types';
import { registeredTargets } from '../world/health';
import type { EnvironmentWorld, TargetGroupEntry } from '../world/simulation';
import { paginate, requireArray } from './paging';

const VALIDATION = 'ValidationError';
const MAX_PAGE_SIZE = 400;

function targetGroupsIn(ctx: OperationContext) {
  return ctx.world
    .in(ctx.account, ctx.region)
    .flatMap(world =>
      [...world.targetGroups().values()].map(entry => ({ world, entry })),
    );
}

function findTargetGroup(ctx: OperationContext, arn: string) {
  for (const world of ctx.world.in(ctx.account, ctx.region)) {
    const entry = world.targetGroups().get(arn);
    if (entry) return { world, entry };
  }
  return undefined;
}

function targetGroupNotFound(): AwsError {
  return new AwsError(
    'TargetGroupNotFound',
    'One or more target groups not found',
  );
}

function pageSize(value: unknown): number {
  if (value === undefined || value === null || value === '') {
    return MAX_PAGE_SIZE;
  }
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new AwsError(
      VALIDATION,
      `1 validation error detected: Value '${value}' at 'pageSize' failed to satisfy constraint: Member must have value ${
        size < 1 ? 'greater than or equal to 1' : 'less than or equal to 400'
      }`,
    );
  }
  return size;
}

function targetGroupShape(world: EnvironmentWorld, entry: TargetGroupEntry) {
  return {
    TargetGroupArn: entry.arn,
    TargetGroupName: entry.name,
    Protocol: 'HTTP',
    Port: entry.service.containerPort,
    VpcId: world.names.vpcId(),
    HealthCheckProtocol: 'HTTP',
    HealthCheckPort: 'traffic-port',
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: 30,
    HealthCheckTimeoutSeconds: 5,
    HealthyThresholdCount: 5,
    UnhealthyThresholdCount: 2,
    HealthCheckPath: '/health',
    Matcher: { HttpCode: '200' },
    LoadBalancerArns: [world.names.loadBalancerArn()],
    TargetType: 'ip',
    ProtocolVersion: 'HTTP1',
    IpAddressType: 'ipv4',
  };
}

export const elbv2: ServiceDefinition = {
  id: 'elasticloadbalancing',
  protocol: 'query',
  xmlNamespace: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
  apiVersion: '2015-12-01',
  errors: {
    validation: VALIDATION,
    throttling: 'Throttling',
    throttlingStatus: 400,
    accessDenied: 'AccessDenied',
    accessDeniedStatus: 403,
  },
  operations: {
    DescribeTargetGroups: ctx => {
      const arns = requireArray<string>(
        ctx.input.TargetGroupArns,
        'TargetGroupArns',
        Number.MAX_SAFE_INTEGER,
        VALIDATION,
      );
      const names = requireArray<string>(
        ctx.input.Names,
        'Names',
        Number.MAX_SAFE_INTEGER,
        VALIDATION,
      );
      const loadBalancerArn: string | undefined = ctx.input.LoadBalancerArn;
      const filters = [arns.length > 0, names.length > 0, !!loadBalancerArn];
      if (filters.filter(Boolean).length > 1) {
        throw new AwsError(
          VALIDATION,
          'Only one of TargetGroupArns, Names or LoadBalancerArn can be specified',
        );
      }
      const size = pageSize(ctx.input.PageSize);
      let selected = targetGroupsIn(ctx);
      if (arns.length > 0) {
        selected = [...new Set(arns)].map(arn => {
          const found = findTargetGroup(ctx, arn);
          if (!found) throw targetGroupNotFound();
          return found;
        });
      } else if (names.length > 0) {
        const byName = new Map(selected.map(s => [s.entry.name, s]));
        selected = [...new Set(names)].map(name => {
          const found = byName.get(name);
          if (!found) throw targetGroupNotFound();
          return found;
        });
      } else if (loadBalancerArn) {
        const world = ctx.world
          .in(ctx.account, ctx.region)
          .find(w => w.names.loadBalancerArn() === loadBalancerArn);
        if (!world) {
          throw new AwsError(
            'LoadBalancerNotFound',
            'One or more load balancers not found',
          );
        }
        selected = selected.filter(s => s.world === world);
      }
      const { page, nextToken } = paginate(selected, ctx.input.Marker, size, {
        defaultSize: MAX_PAGE_SIZE,
        maxSize: MAX_PAGE_SIZE,
        errorCode: VALIDATION,
        sizeName: 'PageSize',
        tokenName: 'Marker',
      });
      return {
        TargetGroups: page.map(({ world, entry }) =>
          targetGroupShape(world, entry),
        ),
        NextMarker: nextToken,
      };
    },

    DescribeTargetHealth: ctx => {
      const arn: string | undefined = ctx.input.TargetGroupArn;
      requireMember(arn, 'targetGroupArn', VALIDATION);
      const found = findTargetGroup(ctx, arn);
      if (!found) {
        throw new AwsError(
          'TargetGroupNotFound',
          `Target groups '${arn}' not found`,
        );
      }
      const { world, entry } = found;
      const { service } = entry;
      return {
        TargetHealthDescriptions: registeredTargets(
          world,
          service,
          ctx.now,
        ).map(({ run, health }) => ({
          Target: {
            Id: world.taskIp(run),
            Port: service.containerPort,
            AvailabilityZone: world.availabilityZone(run.slot, run.service),
          },
          HealthCheckPort: String(service.containerPort),
          TargetHealth: health,
        })),
      };
    },
  },
};
