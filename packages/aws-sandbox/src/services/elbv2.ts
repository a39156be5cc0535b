import { AwsError } from '../errors';
import type { ServiceDefinition } from '../protocols/types';
import { unit } from '../world/random';
import { bucketOf, MINUTE } from '../world/time';

const DRAINING = 5 * MINUTE;

export const elbv2: ServiceDefinition = {
  id: 'elasticloadbalancing',
  protocol: 'query',
  xmlNamespace: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
  apiVersion: '2015-12-01',
  errors: {
    validation: 'ValidationError',
    throttling: 'Throttling',
    throttlingStatus: 400,
    accessDenied: 'AccessDenied',
    accessDeniedStatus: 403,
  },
  operations: {
    DescribeTargetHealth: ctx => {
      const arn: string | undefined = ctx.input.TargetGroupArn;
      if (!arn) {
        throw new AwsError(
          'ValidationError',
          "1 validation error detected: Value null at 'targetGroupArn' failed to satisfy constraint: Member must not be null",
        );
      }
      const match = ctx.world
        .in(ctx.account, ctx.region)
        .flatMap(world =>
          world.spec.services.map(service => ({ world, service })),
        )
        .filter(
          ({ world, service }) =>
            service.targetGroup &&
            world.names.targetGroupArn(service.targetGroup) === arn,
        );
      if (match.length === 0) {
        throw new AwsError(
          'TargetGroupNotFound',
          `Target groups '${arn}' not found`,
        );
      }
      const descriptions = match.flatMap(({ world, service }) =>
        world
          .serviceTasks(service.name, ctx.now)
          .filter(
            run =>
              run.stoppedAt === undefined || ctx.now - run.stoppedAt < DRAINING,
          )
          .map(run => {
            let health: {
              State: string;
              Reason?: string;
              Description?: string;
            } = { State: 'healthy' };
            const flaky =
              unit(world.seed, 'health', run.id, bucketOf(ctx.now)) < 0.35;
            if (run.stoppedAt !== undefined) {
              health = {
                State: 'draining',
                Reason: 'Target.DeregistrationInProgress',
                Description: 'Target deregistration is in progress',
              };
            } else if (
              run.startedAt > ctx.now ||
              ctx.now - run.startedAt < MINUTE
            ) {
              health = {
                State: 'initial',
                Reason: 'Elb.RegistrationInProgress',
                Description: 'Target registration is in progress',
              };
            } else if (
              service.health === 'unhealthy' ||
              (service.health === 'flapping' && flaky)
            ) {
              health = {
                State: 'unhealthy',
                Reason: 'Target.ResponseCodeMismatch',
                Description: 'Health checks failed with these codes: [502]',
              };
            }
            return {
              Target: {
                Id: world.taskIp(run),
                Port: service.containerPort,
                AvailabilityZone: world.availabilityZone(run.slot),
              },
              HealthCheckPort: String(service.containerPort),
              TargetHealth: health,
            };
          }),
      );
      return { TargetHealthDescriptions: descriptions };
    },
  },
};
