import { PermissionsService } from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { parseEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  EnvironmentSummary,
  serviceCellOf,
} from '@kler/plugin-environments-common';
import { z as httpZod } from 'zod';
import { requireReadPermission } from '../auth/requirePermission';
import {
  entityEnvironmentsOf,
  lookUpEntityServices,
} from '../entities/entityEnvironments';
import { problemsOfEntityServices } from '../entities/entityProblems';
import {
  entityParams,
  environmentParams,
  parseRequest,
  problemsQuery,
} from '../requestSchemas';
import {
  EnvironmentsService,
  selectProblems,
  toServicesResponse,
  unknownEnvironmentNames,
} from '../services/EnvironmentsService';
import {
  areaEnum,
  environmentSummarySchema,
  problemSchema,
  serviceCellSchema,
  severityEnum,
} from './outputSchemas';

export interface EnvironmentsActionsOptions {
  actionsRegistry: ActionsRegistryService;
  permissions: PermissionsService;
  catalog: CatalogService;
  environments: EnvironmentsService;
  now?: () => number;
}

/** Every action reads, and reading twice gives the same answer for the same data. */
const READ_ONLY = { readOnly: true, destructive: false, idempotent: true };

const ABOUT_ENVIRONMENTS =
  "KLER's environments (such as production and development) are AWS accounts, each with one ECS cluster running KLER's services, read from AWS every few seconds to minutes and evaluated by the portal's rules into problems (severity, explanation, proposed fix).";

/** The same name rule as the routes' `:name`, for the input field `environment`. */
const environmentInput = httpZod.object({
  environment: environmentParams.shape.name,
});

/**
 * The summary with its age when answered: a model reading the answer does not
 * know the time, so "read 40 s ago" says more to it than refreshedAt alone.
 */
function withSnapshotAge(
  summary: EnvironmentSummary,
  now: number,
): EnvironmentSummary & { snapshotAgeSeconds?: number } {
  if (!summary.refreshedAt) {
    return summary;
  }
  const ageMs = now - Date.parse(summary.refreshedAt);
  return {
    ...summary,
    snapshotAgeSeconds: Math.max(0, Math.round(ageMs / 1000)),
  };
}

/** `storefront`, `component:storefront`, `component:default/storefront` or a system's ref. */
function parseComponentRef(value: string) {
  let ref;
  try {
    ref = parseEntityRef(value, {
      defaultKind: 'component',
      defaultNamespace: 'default',
    });
  } catch (error) {
    throw new InputError(
      `Invalid request: input field 'component' ${(error as Error).message}`,
    );
  }
  return parseRequest(entityParams, ref, 'input');
}

/**
 * Registers the environments backend's reads as actions (served over MCP by
 * the mcp-actions plugin): the same service, selection functions and request
 * schemas as the HTTP routes, and `environments.read` asked of the policy for
 * the caller on every invocation.
 */
export function registerEnvironmentsActions(
  options: EnvironmentsActionsOptions,
): void {
  const { actionsRegistry, permissions, catalog, environments } = options;
  const now = options.now ?? Date.now;

  actionsRegistry.register({
    name: 'list-environments',
    title: 'List environments',
    description: `${ABOUT_ENVIRONMENTS}
Lists every environment with its overall health status, its health per area, how many problems it has per severity, and how fresh its data is (refreshedAt, snapshotAgeSeconds, stale, error).
Use it first to see which environments exist and which are unhealthy or stale; then list-environment-problems for what is wrong.`,
    attributes: READ_ONLY,
    schema: {
      input: z => z.object({}),
      output: z =>
        z.object({
          environments: z
            .array(environmentSummarySchema(z))
            .describe('Every environment, by name'),
        }),
    },
    action: async ({ credentials }) => {
      await requireReadPermission(permissions, credentials);
      const views = await environments.listEnvironments();
      const at = now();
      return {
        output: {
          environments: views.map(view => withSnapshotAge(view.summary, at)),
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'list-environment-problems',
    title: 'List environment problems',
    description: `${ABOUT_ENVIRONMENTS}
Lists the problems found in the environments, worst first (critical, high, medium, low), each with an explanation, a proposed fix (often an exact AWS CLI command) and an AWS console link.
Filter by environment names, areas, a minimum severity and a component. For example, "what is wrong in production?" is environment ["production"], and "serious problems" is minSeverity "high" (high and critical).
Problems are only as fresh as the environment's data: check list-environments for stale environments.`,
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({
          environment: z
            .array(z.string())
            .optional()
            .describe(
              'Only these environments, by name (e.g. ["production"]); all when omitted',
            ),
          area: z
            .array(areaEnum(z))
            .optional()
            .describe(
              'Only these areas: health (services, tasks, alarms, load balancer targets), scaling, backup, wellArchitected, provisioning (Terraform runs); all when omitted',
            ),
          minSeverity: severityEnum(z)
            .optional()
            .describe(
              'Only problems at least this severe: "high" gives high and critical',
            ),
          component: z
            .string()
            .optional()
            .describe(
              'Only problems of the ECS services of this catalog component (a name such as storefront, or an entity ref such as component:default/storefront or system:default/kler-shop)',
            ),
        }),
      output: z =>
        z.object({
          problems: z.array(problemSchema(z)).describe('Worst first'),
        }),
    },
    action: async ({ input, credentials }) => {
      await requireReadPermission(permissions, credentials);
      const query = parseRequest(
        problemsQuery,
        {
          environment: input.environment,
          minSeverity: input.minSeverity,
          area: input.area,
        },
        'input',
      );
      const entity = input.component
        ? await lookUpEntityServices(
            catalog,
            parseComponentRef(input.component),
            credentials,
          )
        : undefined;
      const views = await environments.listEnvironments();
      const unknown = unknownEnvironmentNames(views, query.environment ?? []);
      if (unknown.length > 0) {
        throw new InputError(
          `Invalid request: input field 'environment' names unknown environments: ${unknown.join(
            ', ',
          )}; list-environments gives their names`,
        );
      }
      const problems = selectProblems(views, {
        environments: query.environment,
        minSeverity: query.minSeverity,
        areas: query.area,
      });
      return {
        output: {
          problems: entity
            ? problemsOfEntityServices(problems, entity.targets, views)
            : problems,
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'get-component-environments',
    title: "Get a component's services across environments",
    description: `${ABOUT_ENVIRONMENTS}
For one catalog component (or system), shows its ECS services in every environment that runs them, side by side: running, desired and pending task counts, rollout state, whether scaling is at its maximum, health per area and the service's problems.
Use it to compare a service between environments ("is shop-api healthy in production and development?").`,
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({
          component: z
            .string()
            .describe(
              'A component name such as storefront, or an entity ref such as component:default/storefront or system:default/kler-shop',
            ),
        }),
      output: z =>
        z.object({
          entityRef: z.string(),
          serviceNames: z
            .array(z.string())
            .describe('The ECS services the component maps to'),
          environments: z
            .array(
              z.object({
                environment: environmentSummarySchema(z),
                services: z.array(
                  serviceCellSchema(z).extend({
                    areas: environmentSummarySchema(z).shape.areas,
                    problems: z.array(problemSchema(z)).describe('Worst first'),
                  }),
                ),
              }),
            )
            .describe(
              'Each environment that runs one of its services; services are empty while the environment has not been read',
            ),
        }),
    },
    action: async ({ input, credentials }) => {
      await requireReadPermission(permissions, credentials);
      const { entity, targets } = await lookUpEntityServices(
        catalog,
        parseComponentRef(input.component),
        credentials,
      );
      const views = await environments.listEnvironments();
      const response = entityEnvironmentsOf(entity, targets, views);
      const at = now();
      return {
        output: {
          entityRef: response.entityRef,
          serviceNames: response.serviceNames,
          environments: response.environments.map(({ summary, services }) => ({
            environment: withSnapshotAge(summary, at),
            services: services.map(({ service, evaluation }) => ({
              serviceName: service.serviceName,
              ...serviceCellOf(service, evaluation),
              areas: evaluation.areas,
              problems: evaluation.problems,
            })),
          })),
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'get-environment-summary',
    title: 'Get environment summary',
    description: `${ABOUT_ENVIRONMENTS}
Summarizes one environment: its health status per area, problem counts per severity, freshness, and each of its ECS services with running, desired and pending task counts, rollout state, whether scaling is at its maximum and how many problems it has.
Use it to see an environment's services at a glance; list-environment-problems gives the problems themselves.`,
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({
          environment: z
            .string()
            .describe('The environment name, e.g. production'),
        }),
      output: z =>
        z.object({
          environment: environmentSummarySchema(z),
          services: z
            .array(serviceCellSchema(z))
            .describe('Every ECS service of the cluster, by name'),
        }),
    },
    action: async ({ input, credentials }) => {
      await requireReadPermission(permissions, credentials);
      const { environment: name } = parseRequest(
        environmentInput,
        input,
        'input',
      );
      const view = await environments.getEnvironment(name);
      if (!view) {
        throw new NotFoundError(
          `No environment named '${name}'; list-environments gives their names`,
        );
      }
      const { summary, items } = toServicesResponse(view);
      return {
        output: {
          environment: withSnapshotAge(summary, now()),
          services: items,
        },
      };
    },
  });
}
