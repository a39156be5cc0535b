import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  AMAZON_ECS_SERVICE_ARN_ANNOTATION,
  ECS_SERVICE_NAME_ANNOTATION,
  ENVIRONMENT_AREAS,
  EntityEnvironmentsResponse,
  EnvironmentArea,
  EnvironmentListResponse,
  EnvironmentRunListResponse,
  PROBLEM_SEVERITIES,
  ProblemListResponse,
  ProblemSeverity,
  environmentsReadPermission,
  environmentsRunCreatePermission,
  getEcsServiceNames,
} from '@kler/plugin-environments-common';
import express, { Request, Response } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  EnvironmentView,
  EnvironmentsService,
  selectProblems,
  toDetailsResponse,
} from './services/EnvironmentsService';
import { AwsEnvironment } from './services/aws/types';
import { RunHistory } from './services/runs/RunHistory';

/** The service principal of the scaffolder, whose Terraform actions record runs. */
const SCAFFOLDER_SUBJECT = 'plugin:scaffolder';
import { runListQuerySchema, runReportSchema } from './services/runs/schemas';

export interface RouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  environments: EnvironmentsService;
  runs: RunHistory;
}

/** A run report is small: a summary by resource type and a short message. */
const RUN_REPORT_MAX_BYTES = '256kb';

const ENTITY_NAME = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be an entity name');

const environmentParams = z.object({ name: ENTITY_NAME });

const entityParams = z.object({
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

const problemsQuery = z.object({
  environment: oneOrMany(ENTITY_NAME),
  minSeverity: z
    .enum(PROBLEM_SEVERITIES as [ProblemSeverity, ...ProblemSeverity[]])
    .optional(),
  area: oneOrMany(
    z.enum(ENVIRONMENT_AREAS as [EnvironmentArea, ...EnvironmentArea[]]),
  ),
});

/**
 * How long a permission decision is reused for the same token. Asking the
 * policy is an HTTP round trip to the permission plugin (a token issued, sent,
 * verified, the policy run, the answer validated): about half of what a warm
 * request cost. environments.read is a basic permission: its decision depends
 * only on the caller and the policy, and KLER's policy changes with a restart.
 * A revoked permission therefore takes effect within this time.
 */
const DECISION_REUSE_MS = 5_000;
/** Bounds the decisions kept: one per token seen within DECISION_REUSE_MS. */
const MAX_CACHED_DECISIONS = 1_000;
/** Bounds the serialized bodies kept: one per distinct problem filter. */
const MAX_CACHED_BODIES = 32;

/**
 * Sets `key` last in the map, first dropping the oldest entries (maps iterate
 * in insertion order) so that at most `maxEntries` remain.
 */
function setBounded<K, V>(
  map: Map<K, V>,
  key: K,
  value: V,
  maxEntries: number,
): void {
  map.delete(key);
  while (map.size >= maxEntries) {
    map.delete(map.keys().next().value!);
  }
  map.set(key, value);
}

/** Permission decisions per bearer token, each for a short time. */
export class ReadDecisionCache {
  private readonly decisions = new Map<
    string,
    { result: AuthorizeResult; expiresAt: number }
  >();

  constructor(
    private readonly options: {
      ttlMs: number;
      maxEntries: number;
      now?: () => number;
    },
  ) {}

  get(token: string): AuthorizeResult | undefined {
    const known = this.decisions.get(token);
    if (!known) {
      return undefined;
    }
    if (known.expiresAt <= this.now()) {
      this.decisions.delete(token);
      return undefined;
    }
    return known.result;
  }

  /** Keeps the decision until the TTL passes or the token expires, whichever is first. */
  set(token: string, result: AuthorizeResult, tokenExpiresAt?: Date): void {
    const expiresAt = Math.min(
      this.now() + this.options.ttlMs,
      tokenExpiresAt?.getTime() ?? Infinity,
    );
    setBounded(
      this.decisions,
      token,
      { result, expiresAt },
      this.options.maxEntries,
    );
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}

/**
 * The serialized body of a response, reused while what it was built from is
 * the same objects: the service hands out the same summary and evaluation
 * objects until the snapshot changes or is evaluated again.
 */
export class SerializedBodyCache {
  private readonly bodies = new Map<
    string,
    { sources: readonly unknown[]; body: string }
  >();

  constructor(private readonly maxEntries: number) {}

  get(key: string, sources: readonly unknown[], build: () => unknown): string {
    const known = this.bodies.get(key);
    if (
      known &&
      known.sources.length === sources.length &&
      known.sources.every((source, i) => source === sources[i])
    ) {
      return known.body;
    }
    const body = JSON.stringify(build());
    setBounded(this.bodies, key, { sources, body }, this.maxEntries);
    return body;
  }
}

/** The token of `Authorization: Bearer <token>`, the one httpAuth verifies. */
function bearerTokenOf(req: Request): string | undefined {
  const match = req.headers.authorization?.match(/^Bearer[ ]+(\S+)$/i);
  return match?.[1];
}

/** What res.json sends, from an already serialized body. */
function sendJson(res: Response, body: string): void {
  res.type('application/json').send(body);
}

/** Parses request input, or throws an InputError naming the bad parameter or field. */
function parse<T extends z.ZodTypeAny>(
  schema: T,
  input: unknown,
  location: 'path' | 'query' | 'body',
): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const details = result.error.issues
      .map(
        issue =>
          `${location} ${location === 'body' ? 'field' : 'parameter'} '${
            issue.path.join('.') || '(root)'
          }' ${issue.message}`,
      )
      .join('; ');
    throw new InputError(`Invalid request: ${details}`);
  }
  return result.data;
}

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, permissions, catalog, environments, runs } = options;
  const router = Router();

  const decisions = new ReadDecisionCache({
    ttlMs: DECISION_REUSE_MS,
    maxEntries: MAX_CACHED_DECISIONS,
  });
  const bodies = new SerializedBodyCache(MAX_CACHED_BODIES);

  /** Every route reads environment data, so every route needs environments.read. */
  const authorizeRead = async (req: Request): Promise<BackstageCredentials> => {
    // Authentication runs on every request: a cached decision is only looked
    // up for a token that was just verified (and is not expired).
    const credentials = await httpAuth.credentials(req);
    const token = bearerTokenOf(req);
    let result = token ? decisions.get(token) : undefined;
    if (result === undefined) {
      const [decision] = await permissions.authorize(
        [{ permission: environmentsReadPermission }],
        { credentials },
      );
      result = decision.result;
      if (token) {
        decisions.set(token, result, credentials.expiresAt);
      }
    }
    if (result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed: ${environmentsReadPermission.name}`,
      );
    }
    return credentials;
  };

  router.get('/v1/environments', async (req, res) => {
    await authorizeRead(req);
    const views = await environments.listEnvironments();
    const summaries = views.map(view => view.summary);
    sendJson(
      res,
      bodies.get('environments', summaries, () => {
        const body: EnvironmentListResponse = { items: summaries };
        return body;
      }),
    );
  });

  router.get('/v1/environments/:name', async (req, res) => {
    await authorizeRead(req);
    const { name } = parse(environmentParams, req.params, 'path');
    const view = await environments.getEnvironment(name);
    if (!view) {
      throw new NotFoundError(`No environment named '${name}'`);
    }
    res.json(toDetailsResponse(view));
  });

  /**
   * Runs are reported by services only: the scaffolder's actions with their
   * service credentials, pipelines with an external access token. A user
   * could otherwise write any history. Checked before the body is read.
   */
  const authorizeRunReport = async (req: Request): Promise<void> => {
    const credentials = await httpAuth.credentials(req, { allow: ['service'] });
    const [decision] = await permissions.authorize(
      [{ permission: environmentsRunCreatePermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed: ${environmentsRunCreatePermission.name}`,
      );
    }
  };

  const requireEnvironment = async (name: string) => {
    if (!(await environments.hasEnvironment(name))) {
      throw new NotFoundError(`No environment named '${name}'`);
    }
  };

  router.get('/v1/environments/:name/runs', async (req, res) => {
    await authorizeRead(req);
    const { name } = parse(environmentParams, req.params, 'path');
    const { limit } = parse(runListQuerySchema, req.query, 'query');
    await requireEnvironment(name);
    const body: EnvironmentRunListResponse = {
      items: await runs.list(name, limit),
    };
    res.json(body);
  });

  router.post(
    '/v1/environments/:name/runs',
    async (req, _res, next) => {
      await authorizeRunReport(req);
      next();
    },
    express.json({ limit: RUN_REPORT_MAX_BYTES }),
    async (req, res) => {
      // Verified above; the auth service keeps the request's credentials.
      const credentials = await httpAuth.credentials(req, {
        allow: ['service'],
      });
      const { name } = parse(environmentParams, req.params, 'path');
      const report = parse(runReportSchema, req.body, 'body');
      // The scaffolder records a new environment's first plan and apply
      // before the catalog has the environment (it is registered only once
      // applied); its actions decided the target server-side. Everyone else
      // reports runs of environments the portal knows.
      if (credentials.principal.subject !== SCAFFOLDER_SUBJECT) {
        await requireEnvironment(name);
      }
      const run = await runs.record(
        name,
        report,
        credentials.principal.subject,
      );
      res.status(201).json(run);
    },
  );

  router.get('/v1/entity/:namespace/:kind/:name', async (req, res) => {
    const credentials = await authorizeRead(req);
    const ref = parse(entityParams, req.params, 'path');
    const entity = await catalog.getEntityByRef(ref, { credentials });
    if (!entity) {
      throw new NotFoundError(
        `No entity ${ref.kind}:${ref.namespace}/${ref.name}`,
      );
    }
    const components =
      ref.kind === 'system'
        ? await loadSystemComponents(catalog, entity, credentials)
        : [entity];
    const serviceTargets = collectServiceTargets(components);
    const views = await environments.listEnvironments();
    const body: EntityEnvironmentsResponse = {
      entityRef: stringifyEntityRef(entity),
      serviceNames: [...serviceTargets.keys()].sort(),
      environments: views.flatMap(view => {
        const names = [...serviceTargets.entries()]
          .filter(([, target]) => target.appliesTo(view.entry.environment))
          .map(([serviceName]) => serviceName);
        if (names.length === 0) {
          return [];
        }
        return [{ summary: view.summary, services: servicesOf(view, names) }];
      }),
    };
    res.json(body);
  });

  router.get('/v1/problems', async (req, res) => {
    await authorizeRead(req);
    const query = parse(problemsQuery, req.query, 'query');
    const views = await environments.listEnvironments();
    if (query.environment) {
      const known = new Set(views.map(view => view.entry.name));
      const unknown = query.environment.filter(name => !known.has(name));
      if (unknown.length > 0) {
        throw new InputError(
          `Invalid request: query parameter 'environment' names unknown environments: ${unknown.join(
            ', ',
          )}`,
        );
      }
    }
    const filter = {
      environments: query.environment,
      minSeverity: query.minSeverity,
      areas: query.area,
    };
    sendJson(
      res,
      bodies.get(
        `problems ${JSON.stringify(filter)}`,
        views.flatMap(view => [view.entry, view.evaluation]),
        () => {
          const body: ProblemListResponse = {
            items: selectProblems(views, filter),
          };
          return body;
        },
      ),
    );
  });

  return router;
}

/** The components of a system: its hasPart relations and the components that name it in spec.system. */
async function loadSystemComponents(
  catalog: CatalogService,
  system: Entity,
  credentials: BackstageCredentials,
): Promise<Entity[]> {
  const namespace = system.metadata.namespace ?? 'default';
  const name = system.metadata.name;
  const partRefs = (system.relations ?? [])
    .filter(
      relation =>
        relation.type === 'hasPart' &&
        relation.targetRef.startsWith('component:'),
    )
    .map(relation => relation.targetRef);
  const systemValues = [`${namespace}/${name}`, `system:${namespace}/${name}`];
  if (namespace === 'default') {
    systemValues.push(name);
  }
  const [byRelation, bySpec] = await Promise.all([
    partRefs.length > 0
      ? catalog.getEntitiesByRefs({ entityRefs: partRefs }, { credentials })
      : Promise.resolve({ items: [] }),
    catalog.getEntities(
      { filter: { kind: 'Component', 'spec.system': systemValues } },
      { credentials },
    ),
  ]);
  const components = new Map<string, Entity>();
  for (const component of [...byRelation.items, ...bySpec.items]) {
    if (component) {
      components.set(stringifyEntityRef(component), component);
    }
  }
  return [...components.values()];
}

interface ServiceTarget {
  appliesTo(env: AwsEnvironment | undefined): boolean;
}

interface EcsServiceArnLocation {
  region: string;
  accountId: string;
  cluster?: string;
}

/** `arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME` (or the older `service/NAME`). */
function parseEcsServiceArn(arn: string): EcsServiceArnLocation | undefined {
  const match = arn
    .trim()
    .match(/^arn:[^:]+:ecs:([^:]*):([^:]*):service\/(?:([^/]+)\/)?[^/]+$/);
  return match
    ? { region: match[1], accountId: match[2], cluster: match[3] }
    : undefined;
}

/**
 * Which environments each service name of the entities applies to: a name from
 * `kler.io/ecs-service-name` applies to every environment (the same service runs
 * in each cluster); a service named only by its ARN applies to the environment
 * with that account, region and cluster.
 */
function collectServiceTargets(entities: Entity[]): Map<string, ServiceTarget> {
  const everywhere: ServiceTarget = { appliesTo: () => true };
  const targets = new Map<string, ServiceTarget>();
  for (const entity of entities) {
    const annotations = entity.metadata.annotations ?? {};
    const arn = annotations[AMAZON_ECS_SERVICE_ARN_ANNOTATION];
    const location =
      !annotations[ECS_SERVICE_NAME_ANNOTATION]?.trim() && arn
        ? parseEcsServiceArn(arn)
        : undefined;
    for (const serviceName of getEcsServiceNames(entity)) {
      const known = targets.get(serviceName);
      if (!location) {
        targets.set(serviceName, everywhere);
        continue;
      }
      const matchesArn = (env: AwsEnvironment | undefined) =>
        env !== undefined &&
        env.accountId === location.accountId &&
        env.region === location.region &&
        (location.cluster === undefined || env.cluster === location.cluster);
      targets.set(serviceName, {
        appliesTo: env => (known?.appliesTo(env) ?? false) || matchesArn(env),
      });
    }
  }
  return targets;
}

function servicesOf(view: EnvironmentView, serviceNames: string[]) {
  const snapshot = view.state?.snapshot;
  const evaluation = view.evaluation;
  if (!snapshot || !evaluation) {
    return [];
  }
  return serviceNames.flatMap(serviceName => {
    const service = snapshot.services.find(s => s.serviceName === serviceName);
    const serviceEvaluation = evaluation.services.find(
      s => s.serviceName === serviceName,
    );
    return service && serviceEvaluation
      ? [{ service, evaluation: serviceEvaluation }]
      : [];
  });
}
