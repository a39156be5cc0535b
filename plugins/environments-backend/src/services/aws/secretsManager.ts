import {
  DescribeSecretCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-secrets-manager';
import {
  SecretsManagerSecretsCheck,
  TaskDefinitionSummary,
  secretsManagerSecretArn,
} from '@kler/plugin-environments-common';
import { AwsEnvironment, ReadContext } from './types';

/**
 * The distinct Secrets Manager secrets the task definitions' secrets name,
 * as ARNs without the JSON key ECS may add, sorted: those of the
 * environment's account and region. A secret shared from another account or
 * region is not looked up: the portal's read role there is not this one.
 */
export function secretsManagerSecretArns(
  taskDefinitions: Iterable<TaskDefinitionSummary>,
  env: Pick<AwsEnvironment, 'accountId' | 'region'>,
): string[] {
  const prefix = `:secretsmanager:${env.region}:${env.accountId}:secret:`;
  const arns = new Set<string>();
  for (const taskDefinition of taskDefinitions) {
    for (const container of taskDefinition.containers) {
      for (const secret of container.secrets) {
        const arn =
          secret.source === 'secretsmanager'
            ? secretsManagerSecretArn(secret.reference)
            : undefined;
        if (arn?.includes(prefix)) {
          arns.add(arn);
        }
      }
    }
  }
  return [...arns].sort();
}

/**
 * Which of the secrets exist, by DescribeSecret on each: metadata only. The
 * portal never calls GetSecretValue, so a value is never read. A secret that
 * is not found, or is scheduled for deletion (ECS cannot read it either), is
 * missing; any other error fails the lookup as a whole.
 */
export async function readSecretsManagerSecrets(
  { clients, limit, sendOptions }: ReadContext,
  arns: string[],
): Promise<SecretsManagerSecretsCheck> {
  const missing = await Promise.all(
    arns.map(async arn => {
      try {
        const secret = await limit('DescribeSecret', () =>
          clients.secretsManager.send(
            new DescribeSecretCommand({ SecretId: arn }),
            sendOptions,
          ),
        );
        return secret.DeletedDate !== undefined;
      } catch (error) {
        if (error instanceof ResourceNotFoundException) {
          return true;
        }
        throw error;
      }
    }),
  );
  return { checked: arns, missing: arns.filter((_, i) => missing[i]) };
}
