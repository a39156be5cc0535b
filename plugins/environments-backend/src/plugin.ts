import {
  coreServices,
  createBackendPlugin,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import {
  actionsRegistryServiceRef,
  metricsServiceRef,
} from '@backstage/backend-plugin-api/alpha';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  environmentsReadPermission,
  environmentsRunCreatePermission,
} from '@kler/plugin-environments-common';
import { durationToMilliseconds } from '@backstage/types';
import { isError } from '@backstage/errors';
import { registerEnvironmentsActions } from './actions/environmentsActions';
import { EvaluationCache } from './caches/EvaluationCache';
import {
  MAX_PERMISSION_DECISIONS,
  PERMISSION_DECISION_REUSE_MS,
  PermissionDecisionCache,
} from './caches/PermissionDecisionCache';
import {
  MAX_RESPONSE_BODIES,
  ResponseBodyCache,
} from './caches/ResponseBodyCache';
import { SnapshotCopies } from './caches/SnapshotCopies';
import { readEnvironmentsOptions } from './config';
import {
  AwsCallMetrics,
  createRequestMetricsMiddleware,
  EnvironmentsMetrics,
  instrumentReader,
} from './metrics';
import { createRouter } from './router';
import {
  AwsEnvironmentReader,
  createAwsClientsFactory,
  EnvironmentReader,
  ListingThread,
} from './services/aws';
import { EnvironmentRegistry } from './services/environments/EnvironmentRegistry';
import {
  EVALUATION_REUSE_MS,
  EnvironmentsService,
} from './services/EnvironmentsService';
import { LATEST_RUNS_REUSE_MS, RunHistory } from './services/runs/RunHistory';
import { RunStore } from './services/runs/RunStore';
import { SnapshotStore } from './services/snapshots/SnapshotStore';
import { RefreshLeaseStore } from './services/refresh/RefreshLeaseStore';
import {
  RefreshOwnership,
  refreshLeaseTimings,
} from './services/refresh/RefreshOwnership';

/** The scheduler task that refreshes the environments (local to each replica). */
const REFRESH_TASK_ID = 'environments-refresh';

/**
 * How the environments backend reads an environment. The default reads AWS with
 * the SDK; replace it (for example in tests) with `createServiceFactory`.
 *
 * @public
 */
export const environmentReaderServiceRef = createServiceRef<EnvironmentReader>({
  id: 'environments.reader',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        config: coreServices.rootConfig,
        cache: coreServices.cache,
        metrics: metricsServiceRef,
        lifecycle: coreServices.lifecycle,
      },
      factory({ config, cache, metrics, lifecycle }) {
        const options = readEnvironmentsOptions(config);
        const awsCalls = new AwsCallMetrics(metrics);
        const listingThread = options.aws.listingThread
          ? new ListingThread({
              callsPerSecond: options.aws.callsPerSecond,
              burst: options.aws.burst,
              timeoutMs: options.aws.timeoutMs,
              onAttempts: (operation, attempts) =>
                awsCalls.count('ApplicationAutoScaling', operation, attempts),
            })
          : undefined;
        if (listingThread) {
          lifecycle.addShutdownHook(() => listingThread.close());
        }
        return new AwsEnvironmentReader({
          listingThread,
          configurationMaxAgeMs: options.refresh.configurationMaxAgeMs,
          caches: options.cache.switches,
          // With Backstage's default cache store (memory, this process's
          // alone) another replica could not read them: the reader's own
          // memory already holds them.
          sharedCache:
            (config.getOptionalString('backend.cache.store') ?? 'memory') !==
            'memory'
              ? cache
              : undefined,
          limits: {
            concurrency: options.aws.concurrency,
            callsPerSecond: options.aws.callsPerSecond,
            burst: options.aws.burst,
          },
          clientsFactory: createAwsClientsFactory({
            credentialsManager: DefaultAwsCredentialsManager.fromConfig(config),
            maxAttempts: options.aws.maxAttempts,
            retryMode: options.aws.retryMode,
            timeoutMs: options.aws.timeoutMs,
            plugins: [awsCalls.plugin()],
          }),
        });
      },
    }),
});

/**
 * The environments backend plugin: reads each KLER environment from AWS, keeps
 * the snapshots in the cache, records each environment's Terraform runs in its
 * database, and serves them, evaluated, under /api/environments.
 *
 * @public
 */
export const environmentsPlugin = createBackendPlugin({
  pluginId: 'environments',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        cache: coreServices.cache,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        rootLifecycle: coreServices.rootLifecycle,
        catalog: catalogServiceRef,
        reader: environmentReaderServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
        metricsService: metricsServiceRef,
      },
      async init({
        config,
        logger,
        auth,
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
        cache,
        database,
        scheduler,
        rootLifecycle,
        catalog,
        reader,
        actionsRegistry,
        metricsService,
      }) {
        const options = readEnvironmentsOptions(config);
        permissionsRegistry.addPermissions([
          environmentsReadPermission,
          environmentsRunCreatePermission,
        ]);

        const frequencyMs = durationToMilliseconds(options.refresh.frequency);
        const caches = options.cache.switches;
        const registry = new EnvironmentRegistry({
          catalog,
          auth,
          logger,
          overrides: options.environments,
          defaultEndpoint: options.defaultEndpoint,
          // Replicas that do not run the refresh task still see new environments.
          maxAgeMs: caches.catalogListing ? Math.max(frequencyMs, 60_000) : 0,
        });
        const metrics = new EnvironmentsMetrics(metricsService);
        const store = new SnapshotStore({
          cache,
          reader: instrumentReader(reader, metrics),
          logger,
          ttlMs: options.cache.ttlMs,
          timeoutMs: options.refresh.timeoutMs,
          copies: new SnapshotCopies({ enabled: caches.snapshotCopies }),
          // Backstage's default cache store is in memory, this process's alone.
          sharedCache:
            (config.getOptionalString('backend.cache.store') ?? 'memory') !==
            'memory',
        });
        const runs = new RunHistory({
          store: await RunStore.create({ database }),
          logger,
          reuseMs: caches.latestRuns ? LATEST_RUNS_REUSE_MS : 0,
        });
        const environments = new EnvironmentsService({
          registry,
          store,
          logger,
          runs,
          evaluations: new EvaluationCache({
            enabled: caches.evaluations,
            reuseMs: EVALUATION_REUSE_MS,
          }),
        });

        // Every replica runs the refresh task on its own schedule; only the
        // one holding the refresh lease in the shared database refreshes, and
        // all read the cache. A lease, not a global task: the scheduler frees
        // a dead replica's global task only once its timeout has passed and
        // its janitor (once a minute) has run.
        const ownership = new RefreshOwnership({
          leases: await RefreshLeaseStore.create({ database }),
          logger,
          frequencyMs,
          ...refreshLeaseTimings(frequencyMs),
          onTakeover: () => {
            scheduler.triggerTask(REFRESH_TASK_ID).catch(error => {
              // A ConflictError: the task runs already.
              if (!isError(error) || error.name !== 'ConflictError') {
                logger.warn(`Could not start the refresh: ${error}`);
              }
            });
          },
        });
        // The refresh lists environments from the catalog, so it starts once
        // every plugin is up: earlier, the catalog answers 503.
        rootLifecycle.addStartupHook(async () => {
          await scheduler.scheduleTask({
            id: REFRESH_TASK_ID,
            frequency: options.refresh.frequency,
            timeout: { milliseconds: options.refresh.timeoutMs * 2 },
            scope: 'local',
            fn: async () => {
              await ownership.runIfOwner(() => environments.refreshAll());
            },
          });
          ownership.start();
        });
        rootLifecycle.addShutdownHook(() => ownership.stop());

        const stopObserving = metrics.observeEnvironments(() =>
          environments.listCachedSummaries(),
        );
        rootLifecycle.addShutdownHook(stopObserving);

        registerEnvironmentsActions({
          actionsRegistry,
          permissions,
          catalog,
          environments,
        });

        httpRouter.use(createRequestMetricsMiddleware(metrics));
        httpRouter.use(
          await createRouter({
            httpAuth,
            permissions,
            catalog,
            environments,
            runs,
            bodies: new ResponseBodyCache({
              enabled: caches.responseBodies,
              maxEntries: MAX_RESPONSE_BODIES,
            }),
            decisions: caches.permissionDecisions
              ? new PermissionDecisionCache({
                  ttlMs: PERMISSION_DECISION_REUSE_MS,
                  maxEntries: MAX_PERMISSION_DECISIONS,
                })
              : undefined,
          }),
        );
      },
    });
  },
});
