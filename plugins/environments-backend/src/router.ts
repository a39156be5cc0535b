import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  EnvironmentListResponse,
  EnvironmentRunListResponse,
  EnvironmentServicesResponse,
  ProblemListResponse,
} from '@kler/plugin-environments-common';
import express, { Request, Response } from 'express';
import Router from 'express-promise-router';
import { createPermissionChecks } from './auth/requirePermission';
import { PermissionDecisionCache } from './caches/PermissionDecisionCache';
import {
  EncodedBody,
  GZIP_MIN_BYTES,
  gzippedBody,
  ResponseBodyCache,
  SerializedBody,
} from './caches/ResponseBodyCache';
import {
  entityEnvironmentsOf,
  lookUpEntityServices,
} from './entities/entityEnvironments';
import {
  entityParams,
  environmentParams,
  parseRequest,
  problemsQuery,
} from './requestSchemas';
import {
  EnvironmentsService,
  selectProblems,
  toDetailsResponse,
  toServicesResponse,
  unknownEnvironmentNames,
} from './services/EnvironmentsService';
import { RunHistory } from './services/runs/RunHistory';
import { runListQuerySchema, runReportSchema } from './services/runs/schemas';

export interface RouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  environments: EnvironmentsService;
  runs: RunHistory;
  /** Serialized bodies reused while their views are the same (switch `responseBodies`). */
  bodies: ResponseBodyCache;
  /** Permission decisions reused per token (switch `permissionDecisions`). */
  decisions?: PermissionDecisionCache;
}

/** The service principal of the scaffolder, whose Terraform actions record runs. */
const SCAFFOLDER_SUBJECT = 'plugin:scaffolder';
/** A run report is small: a summary by resource type and a short message. */
const RUN_REPORT_MAX_BYTES = '256kb';

/**
 * What res.json sends, from an already serialized body, with its entity tag:
 * Express answers 304 without the body to a request whose If-None-Match
 * names it. To a client that accepts gzip (every browser), the body's gzipped
 * bytes, made once per body, which the compression middleware then leaves as
 * they are.
 */
async function sendJson(
  req: Request,
  res: Response,
  body: SerializedBody,
): Promise<void> {
  let sent: EncodedBody = body;
  res.type('application/json').vary('Accept-Encoding');
  if (
    body.bytes.byteLength >= GZIP_MIN_BYTES &&
    req.acceptsEncodings('gzip', 'identity') === 'gzip'
  ) {
    try {
      sent = await gzippedBody(body);
      res.set('Content-Encoding', 'gzip');
    } catch {
      // zlib failed: the body as it is.
    }
  }
  res.set('ETag', sent.etag).send(sent.bytes);
}

/**
 * The routes of the environments backend. Permission checks live in
 * `auth/`, the catalog lookup of an entity's services in `entities/`, the
 * caches in `caches/`, request validation in `requestSchemas.ts`.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { catalog, environments, runs, bodies } = options;
  const { requireRead, requireRunReport } = createPermissionChecks(options);
  const router = Router();

  const requireEnvironment = async (name: string) => {
    if (!(await environments.hasEnvironment(name))) {
      throw new NotFoundError(`No environment named '${name}'`);
    }
  };

  router.get('/v1/environments', async (req, res) => {
    await requireRead(req);
    const views = await environments.listEnvironments();
    const version = views.map(view => view.version).join('\n');
    await sendJson(
      req,
      res,
      bodies.get(
        'environments',
        version,
        (): EnvironmentListResponse => ({
          items: views.map(view => view.summary),
        }),
      ),
    );
  });

  router.get('/v1/environments/:name', async (req, res) => {
    await requireRead(req);
    const { name } = parseRequest(environmentParams, req.params, 'path');
    const view = await environments.getEnvironment(name);
    if (!view) {
      throw new NotFoundError(`No environment named '${name}'`);
    }
    res.json(toDetailsResponse(view));
  });

  router.get('/v1/environments/:name/services', async (req, res) => {
    await requireRead(req);
    const { name } = parseRequest(environmentParams, req.params, 'path');
    const view = await environments.getEnvironment(name);
    if (!view) {
      throw new NotFoundError(`No environment named '${name}'`);
    }
    await sendJson(
      req,
      res,
      bodies.get(
        `services ${name}`,
        view.version,
        (): EnvironmentServicesResponse => toServicesResponse(view),
      ),
    );
  });

  router.get('/v1/environments/:name/runs', async (req, res) => {
    await requireRead(req);
    const { name } = parseRequest(environmentParams, req.params, 'path');
    const { limit } = parseRequest(runListQuerySchema, req.query, 'query');
    await requireEnvironment(name);
    const body: EnvironmentRunListResponse = {
      items: await runs.list(name, limit),
    };
    res.json(body);
  });

  router.post(
    '/v1/environments/:name/runs',
    async (req, res, next) => {
      res.locals.reporter = await requireRunReport(req);
      next();
    },
    express.json({ limit: RUN_REPORT_MAX_BYTES }),
    async (req, res) => {
      const credentials: Awaited<ReturnType<typeof requireRunReport>> =
        res.locals.reporter;
      const { name } = parseRequest(environmentParams, req.params, 'path');
      const report = parseRequest(runReportSchema, req.body, 'body');
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
    const credentials = await requireRead(req);
    const ref = parseRequest(entityParams, req.params, 'path');
    const { entity, targets } = await lookUpEntityServices(
      catalog,
      ref,
      credentials,
    );
    const views = await environments.listEnvironments();
    res.json(entityEnvironmentsOf(entity, targets, views));
  });

  router.get('/v1/problems', async (req, res) => {
    await requireRead(req);
    const query = parseRequest(problemsQuery, req.query, 'query');
    const views = await environments.listEnvironments();
    if (query.environment) {
      const unknown = unknownEnvironmentNames(views, query.environment);
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
    const version = views.map(view => view.version).join('\n');
    await sendJson(
      req,
      res,
      bodies.get(
        `problems ${JSON.stringify(filter)}`,
        version,
        (): ProblemListResponse => ({ items: selectProblems(views, filter) }),
      ),
    );
  });

  return router;
}
