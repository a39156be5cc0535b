import { AwsError, requireMember } from '../errors';
import type { OperationContext, ServiceDefinition } from '../protocols/types';
import { uuid } from '../world/random';
import type { EnvironmentWorld } from '../world/simulation';
import { CREATED_AT } from '../world/time';

const INVALID = 'ValidationException';

/**
 * A secret's full ARN, `…:secret:<name>-<6 characters>`, as a task
 * definition's `valueFrom` names it: ECS allows `:<json-key>:<version-stage>:<version-id>`
 * after it, which picks within the same secret. A `valueFrom` without the
 * suffix (a partial ARN) defines no secret: its full ARN is unknown.
 */
const SECRET_ARN =
  /^((arn:aws[a-z-]*:secretsmanager:([^:]+):(\d{12}):secret:([^:]+))-[A-Za-z0-9]{6})(:[^:]*:[^:]*:[^:]*)?$/;

interface Secret {
  world: EnvironmentWorld;
  arn: string;
  /** The ARN without the 6-character suffix. */
  partialArn: string;
  name: string;
}

/** The secret a `valueFrom` names in the world's own account and region, if it names one there. */
function secretOf(
  world: EnvironmentWorld,
  valueFrom: string,
): Secret | undefined {
  const match = SECRET_ARN.exec(valueFrom);
  if (!match) return undefined;
  const [, arn, partialArn, region, account, name] = match;
  if (region !== world.spec.region || account !== world.spec.account) {
    return undefined;
  }
  return { world, arn, partialArn, name };
}

/**
 * The secret of the caller's account and region that `secretId` names: by
 * full ARN, by ARN without the 6-character suffix (a partial ARN), or by name.
 * Secrets are those a service's secrets name, but those the scenario marks
 * missing; values are never modelled, the sandbox answers metadata only.
 * ECS's `:<json-key>:…` form is not an id DescribeSecret accepts (the caller
 * strips it), so it names no secret here either.
 */
function findSecret(
  ctx: OperationContext,
  secretId: string,
): Secret | undefined {
  for (const world of ctx.world.in(ctx.account, ctx.region)) {
    for (const service of world.spec.services) {
      for (const reference of service.secrets) {
        if (reference.missing) continue;
        const secret = secretOf(world, reference.valueFrom);
        if (
          secret &&
          (secretId === secret.arn ||
            secretId === secret.partialArn ||
            secretId === secret.name)
        ) {
          return secret;
        }
      }
    }
  }
  return undefined;
}

/** Secrets Manager: DescribeSecret, a secret's metadata (never its value). */
export const secretsManager: ServiceDefinition = {
  id: 'secretsmanager',
  protocol: 'json',
  jsonVersion: '1.1',
  targetPrefix: 'secretsmanager',
  errors: {
    validation: INVALID,
    throttling: 'ThrottlingException',
    throttlingStatus: 400,
    accessDenied: 'AccessDeniedException',
    accessDeniedStatus: 400,
  },
  operations: {
    DescribeSecret: ctx => {
      const { SecretId } = ctx.input;
      requireMember(SecretId, 'secretId', INVALID);
      const secret = findSecret(ctx, SecretId);
      if (!secret) {
        throw new AwsError(
          'ResourceNotFoundException',
          "Secrets Manager can't find the specified secret.",
        );
      }
      const { world, arn, name } = secret;
      return {
        ARN: arn,
        Name: name,
        LastChangedDate: new Date(CREATED_AT),
        // a secret ECS injects has a current version; its id says nothing of the value
        VersionIdsToStages: {
          [uuid(world.seed, 'secret-version', arn)]: ['AWSCURRENT'],
        },
        CreatedDate: new Date(CREATED_AT),
      };
    },
  },
};
