import { InputError } from '@backstage/errors';
import {
  ENVIRONMENT_AREAS,
  EnvironmentArea,
  PROBLEM_SEVERITIES,
  ProblemSeverity,
} from '@kler/plugin-environments-common';
import { z } from 'zod';

const ENTITY_NAME = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be an entity name');

/** `/v1/environments/:name...` */
export const environmentParams = z.object({ name: ENTITY_NAME });

/** `/v1/entity/:namespace/:kind/:name`, for components and systems. */
export const entityParams = z.object({
  namespace: ENTITY_NAME,
  kind: z
    .string()
    .transform(kind => kind.toLocaleLowerCase('en-US'))
    .pipe(z.enum(['component', 'system'])),
  name: ENTITY_NAME,
});

const oneOrMany = <T extends z.ZodTypeAny>(item: T) =>
  z
    .union([item, z.array(item)])
    .optional()
    .transform(value =>
      value === undefined ? undefined : ([] as z.infer<T>[]).concat(value),
    );

/** `/v1/problems?environment=&minSeverity=&area=` */
export const problemsQuery = z.object({
  environment: oneOrMany(ENTITY_NAME),
  minSeverity: z
    .enum(PROBLEM_SEVERITIES as [ProblemSeverity, ...ProblemSeverity[]])
    .optional(),
  area: oneOrMany(
    z.enum(ENVIRONMENT_AREAS as [EnvironmentArea, ...EnvironmentArea[]]),
  ),
});

/**
 * Parses request input, or throws an InputError naming the bad parameter or
 * field; `input` is an action's input, checked with the same schemas.
 */
export function parseRequest<T extends z.ZodTypeAny>(
  schema: T,
  input: unknown,
  location: 'path' | 'query' | 'body' | 'input',
): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const details = result.error.issues
      .map(
        issue =>
          `${location} ${
            location === 'body' || location === 'input' ? 'field' : 'parameter'
          } '${issue.path.join('.') || '(root)'}' ${issue.message}`,
      )
      .join('; ');
    throw new InputError(`Invalid request: ${details}`);
  }
  return result.data;
}
