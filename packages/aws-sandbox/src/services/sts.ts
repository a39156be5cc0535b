import { AwsError } from '../errors';
import type { ServiceDefinition } from '../protocols/types';
import { hexId } from '../world/random';

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/;

export const sts: ServiceDefinition = {
  id: 'sts',
  protocol: 'query',
  xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
  apiVersion: '2011-06-15',
  errors: {
    validation: 'ValidationError',
    throttling: 'Throttling',
    throttlingStatus: 400,
    accessDenied: 'AccessDenied',
    accessDeniedStatus: 403,
  },
  operations: {
    GetCallerIdentity: ctx => {
      const session = ctx.sessions.get(ctx.accessKeyId);
      if (session) {
        return {
          UserId: session.userId,
          Account: session.account,
          Arn: session.arn,
        };
      }
      return {
        UserId: `AIDA${hexId(17, 'user', ctx.accessKeyId).toUpperCase()}`,
        Account: ctx.account,
        Arn: `arn:aws:iam::${ctx.account}:user/sandbox`,
      };
    },

    AssumeRole: ctx => {
      const { RoleArn, RoleSessionName } = ctx.input;
      const duration = Number(ctx.input.DurationSeconds ?? 3600);
      const match = ROLE_ARN.exec(RoleArn ?? '');
      if (!match) {
        throw new AwsError(
          'ValidationError',
          `${RoleArn} is not a valid role ARN`,
        );
      }
      if (!RoleSessionName || !/^[\w+=,.@-]{2,64}$/.test(RoleSessionName)) {
        throw new AwsError(
          'ValidationError',
          "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint",
        );
      }
      if (!(duration >= 900 && duration <= 43200)) {
        throw new AwsError(
          'ValidationError',
          "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200",
        );
      }
      const [, account, role] = match;
      const nonce = `${Date.now()}:${Math.random()}`;
      const accessKeyId = `ASIA${account}${hexId(8, nonce).toUpperCase()}`;
      const roleId = `AROA${hexId(17, 'role', RoleArn).toUpperCase()}`;
      const arn = `arn:aws:sts::${account}:assumed-role/${role}/${RoleSessionName}`;
      ctx.sessions.set(accessKeyId, {
        account,
        arn,
        userId: `${roleId}:${RoleSessionName}`,
      });
      return {
        Credentials: {
          AccessKeyId: accessKeyId,
          SecretAccessKey: hexId(40, 'secret', nonce),
          SessionToken: Buffer.from(`sandbox-session:${accessKeyId}`).toString(
            'base64',
          ),
          // real time: the SDK compares expiry with the machine's clock
          Expiration: new Date(Date.now() + duration * 1000),
        },
        AssumedRoleUser: {
          AssumedRoleId: `${roleId}:${RoleSessionName}`,
          Arn: arn,
        },
        PackedPolicySize: 0,
      };
    },
  },
};
