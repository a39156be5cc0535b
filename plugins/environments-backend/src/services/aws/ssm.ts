import {
  DescribeParametersCommand,
  ParameterMetadata,
} from '@aws-sdk/client-ssm';
import {
  SecretParametersCheck,
  TaskDefinitionSummary,
} from '@kler/plugin-environments-common';
import { chunk, collectPages } from './concurrency';
import { ReadContext } from './types';

/** DescribeParameters takes at most 50 values in a ParameterFilters filter. */
export const DESCRIBE_PARAMETERS_NAMES_PER_CALL = 50;
/** And answers at most 50 parameters a page. */
const DESCRIBE_PARAMETERS_PAGE_SIZE = 50;

/** The distinct SSM parameter names the task definitions' secrets reference, sorted. */
export function secretParameterNames(
  taskDefinitions: Iterable<TaskDefinitionSummary>,
): string[] {
  const names = new Set<string>();
  for (const taskDefinition of taskDefinitions) {
    for (const container of taskDefinition.containers) {
      for (const secret of container.secrets) {
        if (secret.source === 'ssm') {
          names.add(secret.reference);
        }
      }
    }
  }
  return [...names].sort();
}

/**
 * Which of the named parameters exist, by DescribeParameters with a Name
 * Equals filter of up to 50 names a call: metadata only. The portal never
 * calls GetParameter(s), so a value is never read. DescribeParameters may
 * answer a filtered page short, or empty, with a token: every page is read.
 */
export async function readSecretParameters(
  { clients, limit, sendOptions }: ReadContext,
  names: string[],
): Promise<SecretParametersCheck> {
  const found = new Set<string>();
  await Promise.all(
    chunk(names, DESCRIBE_PARAMETERS_NAMES_PER_CALL).map(async batch => {
      const parameters = await collectPages<ParameterMetadata>(
        async NextToken => {
          const page = await limit('DescribeParameters', () =>
            clients.ssm.send(
              new DescribeParametersCommand({
                ParameterFilters: [
                  { Key: 'Name', Option: 'Equals', Values: batch },
                ],
                MaxResults: DESCRIBE_PARAMETERS_PAGE_SIZE,
                NextToken,
              }),
              sendOptions,
            ),
          );
          return { items: page.Parameters, nextToken: page.NextToken };
        },
      );
      for (const parameter of parameters) {
        if (parameter.Name) {
          found.add(parameter.Name);
        }
      }
    }),
  );
  return { checked: names, missing: names.filter(name => !found.has(name)) };
}
