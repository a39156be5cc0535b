import {
  coreServices,
  createBackendModule,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
} from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  catalogProcessingExtensionPoint,
  DeferredEntity,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import {
  isTrustedLocation,
  readTrustedEnvironmentLocations,
  TRUSTED_ENVIRONMENT_LOCATIONS_CONFIG_KEY,
} from '@kler/plugin-environments-common';
import {
  ENVIRONMENTS_PUBLISHED_TOPIC,
  EnvironmentsPublishedEvent,
} from '@kler/plugin-scaffolder-backend-module-terraform';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The files mirrored: one catalog-info.yaml per environment directory. */
const CATALOG_FILE = /^environments\/[^/]+\/catalog-info\.yaml$/;
/** How often the repository is read besides after each publish. */
const REFRESH_FREQUENCY = { minutes: 1 };
/** A catalog file larger than this is not read. */
const MAX_FILE_BYTES = 1024 * 1024;

/** Runs git in the repository, with an argument array, no shell, no prompts. */
function git(repository: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-c', 'core.hooksPath=/dev/null', ...args],
      {
        cwd: repository,
        maxBuffer: 16 * MAX_FILE_BYTES,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? '/tmp',
          GIT_TERMINAL_PROMPT: '0',
          GIT_CONFIG_NOSYSTEM: '1',
        },
      },
      (error, stdout, stderr) =>
        error
          ? reject(
              new Error(`git ${args[0]} failed: ${stderr.trim() || error}`),
            )
          : resolve(stdout),
    );
  });
}

/**
 * Mirrors the environments that `kler:git:publishLocal` commits to the local
 * environments repository (`kler.environments.localRepository`, a bare git
 * repository) into the catalog: every entity of
 * `environments/<name>/catalog-info.yaml` on the repository's default
 * branch, with `file:<repository>/environments/<name>/catalog-info.yaml` as
 * its location and origin location. The catalog cannot read a bare
 * repository through a registered location, so the entities come from this
 * provider instead; environment Resources among them are accepted only when
 * that location is in `kler.environments.trustedLocations`.
 */
export class EnvironmentsRepositoryEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  /** Reads one after the other, so that an older read never lands last. */
  private reading: Promise<void> = Promise.resolve();
  private mirrored?: number;

  constructor(
    private readonly options: {
      /** Absolute path of the bare repository. */
      repository: string;
      logger: LoggerService;
      scheduler?: SchedulerService;
    },
  ) {}

  getProviderName(): string {
    return 'kler-environments-repository';
  }

  /** The location of a file of the repository, as its entities carry it. */
  locationOf(file: string): string {
    return `file:${this.options.repository}/${file}`;
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.options.scheduler?.scheduleTask({
      id: 'kler-environments-repository-refresh',
      frequency: REFRESH_FREQUENCY,
      timeout: REFRESH_FREQUENCY,
      // The repository is on this instance's disk.
      scope: 'local',
      fn: () => this.refresh(),
    });
  }

  /** Reads the repository and replaces every entity this provider gave before. */
  refresh(): Promise<void> {
    const next = this.reading.then(() => this.mirror());
    this.reading = next.catch(() => undefined);
    return next;
  }

  /** After a publish to this repository's default branch, reads it at once. */
  async onPublished(event: EnvironmentsPublishedEvent): Promise<void> {
    if (path.resolve(event.repositoryPath) !== this.options.repository) {
      return;
    }
    const branch = await this.defaultBranch();
    if (branch && event.branch === branch) {
      await this.refresh();
    }
  }

  private async defaultBranch(): Promise<string | undefined> {
    const head = await fs
      .stat(path.join(this.options.repository, 'HEAD'))
      .catch(() => undefined);
    if (!head) return undefined;
    return (
      await git(this.options.repository, ['symbolic-ref', '--short', 'HEAD'])
    ).trim();
  }

  private async mirror(): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    const { logger, repository } = this.options;
    const branch = await this.defaultBranch();
    const hasCommits =
      branch !== undefined &&
      (await git(repository, [
        'rev-parse',
        '--verify',
        '--quiet',
        `refs/heads/${branch}`,
      ]).then(
        () => true,
        () => false,
      ));
    const entities: DeferredEntity[] = [];
    if (hasCommits) {
      const files = (
        await git(repository, [
          'ls-tree',
          '-r',
          '-z',
          '--name-only',
          branch,
          '--',
          'environments',
        ])
      )
        .split('\0')
        .filter(file => CATALOG_FILE.test(file));
      for (const file of files) {
        entities.push(...(await this.readFile(branch, file)));
      }
    }
    await connection.applyMutation({ type: 'full', entities });
    if (entities.length !== this.mirrored) {
      logger.info(
        `Mirrored ${entities.length} entities from ${repository}${
          hasCommits ? ` (${branch})` : ', which has no commits yet'
        }`,
      );
    }
    this.mirrored = entities.length;
  }

  private async readFile(
    branch: string,
    file: string,
  ): Promise<DeferredEntity[]> {
    const { logger, repository } = this.options;
    const location = this.locationOf(file);
    const size = Number(
      await git(repository, ['cat-file', '-s', `${branch}:${file}`]),
    );
    if (size > MAX_FILE_BYTES) {
      logger.warn(`Not mirrored: ${location} is larger than 1 MiB`);
      return [];
    }
    const text = await git(repository, [
      'cat-file',
      'blob',
      `${branch}:${file}`,
    ]);
    const entities: DeferredEntity[] = [];
    for (const document of parseAllDocuments(text)) {
      if (document.errors.length) {
        logger.warn(
          `Not mirrored: a document of ${location} is not YAML: ${document.errors[0].message}`,
        );
        continue;
      }
      const entity = document.toJSON() as Entity | null;
      if (
        !entity ||
        typeof entity.kind !== 'string' ||
        typeof entity.metadata?.name !== 'string'
      ) {
        if (entity) {
          logger.warn(
            `Not mirrored: a document of ${location} is not an entity (kind and metadata.name)`,
          );
        }
        continue;
      }
      entities.push({
        locationKey: location,
        entity: {
          ...entity,
          metadata: {
            ...entity.metadata,
            annotations: {
              ...entity.metadata.annotations,
              [ANNOTATION_LOCATION]: location,
              [ANNOTATION_ORIGIN_LOCATION]: location,
            },
          },
        },
      });
    }
    return entities;
  }
}

/**
 * The local repository is mirrored when the templates publish there: it is
 * configured, the environments repository is not on GitHub or GitLab (where
 * the catalog's discovery of those hosts registers merged environments), and
 * the catalog is not told to read it by URL (`catalogBaseUrl`, where the
 * template's `catalog:register` step registers it).
 */
export function mirroredRepository(
  config: Config,
  cwd: string,
): string | undefined {
  const environments = config.getOptionalConfig('kler.environments');
  const repository = environments?.getOptionalString('localRepository');
  const type = environments?.getOptionalString('repository.type') ?? 'local';
  if (
    !repository ||
    type !== 'local' ||
    environments?.getOptionalString('catalogBaseUrl')
  ) {
    return undefined;
  }
  return path.resolve(cwd, repository);
}

/**
 * Mirrors the local environments repository into the catalog, on a schedule
 * and at once after each publish (`kler.environments.published`).
 */
export default createBackendModule({
  pluginId: 'catalog',
  moduleId: 'kler-environments-repository',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        catalog: catalogProcessingExtensionPoint,
        events: eventsServiceRef,
      },
      async init({ config, logger, scheduler, catalog, events }) {
        const repository = mirroredRepository(config, process.cwd());
        if (!repository) return;
        const provider = new EnvironmentsRepositoryEntityProvider({
          repository,
          logger,
          scheduler,
        });
        const trusted = readTrustedEnvironmentLocations(config, process.cwd());
        const example = provider.locationOf(
          'environments/example/catalog-info.yaml',
        );
        if (!isTrustedLocation(example, trusted)) {
          logger.warn(
            `Environments published to ${repository} will be refused by the catalog: add file:${repository}/* to ${TRUSTED_ENVIRONMENT_LOCATIONS_CONFIG_KEY}`,
          );
        }
        catalog.addEntityProvider(provider);
        await events.subscribe({
          id: 'kler-environments-repository',
          topics: [ENVIRONMENTS_PUBLISHED_TOPIC],
          onEvent: async ({ eventPayload }) =>
            provider.onPublished(eventPayload as EnvironmentsPublishedEvent),
        });
      },
    });
  },
});
