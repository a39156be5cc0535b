import {
  createBackendPlugin,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import {
  eventsServiceFactory,
  eventsServiceRef,
  EventsService,
} from '@backstage/plugin-events-node';
import { ENVIRONMENTS_PUBLISHED_TOPIC } from '@kler/plugin-scaffolder-backend-module-terraform';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { catalogTestHooks } from '../__testUtils__/testBackend';
import catalogEnvironmentsRepository, {
  EnvironmentsRepositoryEntityProvider,
  mirroredRepository,
} from './catalogEnvironmentsRepository';
import catalogTrustedEnvironments from './catalogTrustedEnvironments';

jest.setTimeout(60_000);

/** An environment Resource as kler-environment's skeleton renders it. */
const environment = (name: string, accountId = '111111111111') =>
  [
    'apiVersion: backstage.io/v1alpha1',
    'kind: Resource',
    'metadata:',
    `  name: "${name}"`,
    '  annotations:',
    '    kler.io/environment-tier: "development"',
    `    kler.io/aws-account-id: "${accountId}"`,
    '    kler.io/aws-region: "eu-west-1"',
    `    kler.io/ecs-cluster: "kler-${name}"`,
    'spec:',
    '  type: environment',
    '  lifecycle: development',
    '  owner: group:default/platform-team',
    '',
  ].join('\n');

/** A bare repository like the one kler:git:publishLocal creates, and a way to commit to it. */
async function createRepository(root: string) {
  const repository = path.join(root, 'environments.git');
  const clone = path.join(root, 'clone');
  const git = (cwd: string, ...args: string[]) =>
    execFileSync(
      'git',
      ['-c', 'user.name=Test', '-c', 'user.email=test@kler.invalid', ...args],
      { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  await fs.mkdir(repository);
  git(repository, 'init', '--bare', '--initial-branch', 'main');
  git(root, 'clone', repository, clone);
  return {
    repository,
    /** Commits the files (path to content) and pushes them to `branch`. */
    async commit(files: Record<string, string>, branch = 'main') {
      git(clone, 'checkout', '-B', branch);
      for (const [file, content] of Object.entries(files)) {
        await fs.mkdir(path.dirname(path.join(clone, file)), {
          recursive: true,
        });
        await fs.writeFile(path.join(clone, file), content);
      }
      git(clone, 'add', '--all');
      git(clone, 'commit', '-m', 'publish');
      git(clone, 'push', 'origin', `HEAD:refs/heads/${branch}`);
    },
  };
}

/** The entities of the one full mutation the provider applied. */
function mirroredEntities(
  applyMutation: jest.Mock<
    ReturnType<EntityProviderConnection['applyMutation']>,
    Parameters<EntityProviderConnection['applyMutation']>
  >,
) {
  expect(applyMutation).toHaveBeenCalledTimes(1);
  const [mutation] = applyMutation.mock.calls[0];
  if (mutation.type !== 'full') {
    throw new Error(`Expected a full mutation, got ${mutation.type}`);
  }
  return mutation.entities;
}

function recordingLogger() {
  const lines: string[] = [];
  const logger = mockServices.logger.mock();
  logger.info.mockImplementation(line => lines.push(line));
  logger.warn.mockImplementation(line => lines.push(line));
  return { logger: logger as unknown as LoggerService, lines };
}

describe('EnvironmentsRepositoryEntityProvider', () => {
  let root: string;
  beforeEach(async () => {
    root = await fs.realpath(
      await fs.mkdtemp(path.join(os.tmpdir(), 'kler-mirror-')),
    );
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  async function connected(repository: string) {
    const { logger, lines } = recordingLogger();
    const provider = new EnvironmentsRepositoryEntityProvider({
      repository,
      logger,
    });
    const connection = {
      applyMutation: jest.fn<
        ReturnType<EntityProviderConnection['applyMutation']>,
        Parameters<EntityProviderConnection['applyMutation']>
      >(),
      refresh: jest.fn(),
    } satisfies EntityProviderConnection;
    await provider.connect(connection);
    return { provider, connection, lines };
  }

  it("mirrors every entity of each environment's catalog-info.yaml on the default branch, located in the repository", async () => {
    const { repository, commit } = await createRepository(root);
    await commit({
      'environments/staging/catalog-info.yaml': environment('staging'),
      'environments/staging/main.tf': '# not a catalog file\n',
      'environments/qa/catalog-info.yaml': `${environment(
        'qa',
      )}---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: qa-smoke\nspec:\n  type: service\n  lifecycle: experimental\n  owner: platform-team\n`,
      'environments/a/b/catalog-info.yaml': environment('nested'),
      'catalog-info.yaml': environment('root'),
    });
    // A proposal on its own branch is not the environments' state.
    await commit(
      { 'environments/proposed/catalog-info.yaml': environment('proposed') },
      'add-proposed',
    );
    const { provider, connection } = await connected(repository);
    await provider.refresh();

    const entities = mirroredEntities(connection.applyMutation);
    const located = (file: string) => `file:${repository}/${file}`;
    expect(
      entities.map(({ entity, locationKey }) => [
        `${entity.kind}:${entity.metadata.name}`,
        locationKey,
        entity.metadata.annotations,
      ]),
    ).toEqual([
      [
        'Resource:qa',
        located('environments/qa/catalog-info.yaml'),
        expect.objectContaining({
          'kler.io/aws-account-id': '111111111111',
          'backstage.io/managed-by-location': located(
            'environments/qa/catalog-info.yaml',
          ),
          'backstage.io/managed-by-origin-location': located(
            'environments/qa/catalog-info.yaml',
          ),
        }),
      ],
      [
        'Component:qa-smoke',
        located('environments/qa/catalog-info.yaml'),
        {
          'backstage.io/managed-by-location': located(
            'environments/qa/catalog-info.yaml',
          ),
          'backstage.io/managed-by-origin-location': located(
            'environments/qa/catalog-info.yaml',
          ),
        },
      ],
      [
        'Resource:staging',
        located('environments/staging/catalog-info.yaml'),
        expect.objectContaining({
          'backstage.io/managed-by-origin-location': located(
            'environments/staging/catalog-info.yaml',
          ),
        }),
      ],
    ]);
  });

  it('skips what is not an entity, saying so, and mirrors the rest', async () => {
    const { repository, commit } = await createRepository(root);
    await commit({
      'environments/broken/catalog-info.yaml': 'kind: [unclosed\n',
      'environments/partial/catalog-info.yaml': `${environment(
        'partial',
      )}---\nkind: Resource\n---\n`,
    });
    const { provider, connection, lines } = await connected(repository);
    await provider.refresh();
    expect(
      mirroredEntities(connection.applyMutation).map(
        ({ entity }) => entity.metadata.name,
      ),
    ).toEqual(['partial']);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^Not mirrored: a document of file:.*\/environments\/broken\/catalog-info.yaml is not YAML/,
        ),
        expect.stringMatching(
          /^Not mirrored: a document of file:.*\/environments\/partial\/catalog-info.yaml is not an entity/,
        ),
      ]),
    );
  });

  it('mirrors nothing, without failing, before anything is published', async () => {
    const missing = await connected(path.join(root, 'missing.git'));
    await missing.provider.refresh();
    expect(missing.connection.applyMutation).toHaveBeenCalledWith({
      type: 'full',
      entities: [],
    });
    const { repository } = await createRepository(root);
    const empty = await connected(repository);
    await empty.provider.refresh();
    expect(empty.connection.applyMutation).toHaveBeenCalledWith({
      type: 'full',
      entities: [],
    });
    expect(empty.lines).toEqual([
      `Mirrored 0 entities from ${repository}, which has no commits yet`,
    ]);
  });

  it('reads at once after a publish to its default branch, and only then', async () => {
    const { repository, commit } = await createRepository(root);
    await commit({
      'environments/staging/catalog-info.yaml': environment('staging'),
    });
    const { provider, connection } = await connected(repository);
    const published = {
      repositoryPath: path.relative(process.cwd(), repository),
      branch: 'main',
      targetDirectory: 'environments/staging',
      commitHash: 'abc',
      mode: 'create' as const,
    };
    await provider.onPublished({ ...published, branch: 'add-x' });
    await provider.onPublished({
      ...published,
      repositoryPath: path.join(root, 'other.git'),
    });
    expect(connection.applyMutation).not.toHaveBeenCalled();
    await provider.onPublished(published);
    expect(connection.applyMutation).toHaveBeenCalledTimes(1);
  });
});

describe('mirroredRepository', () => {
  const read = (environments: object) =>
    mirroredRepository(
      new ConfigReader({ kler: { environments } }),
      '/srv/portal/packages/backend',
    );

  it('is the local repository the templates publish to, resolved like publishLocal resolves it', () => {
    expect(read({ localRepository: '../../.kler/environments.git' })).toBe(
      '/srv/portal/.kler/environments.git',
    );
    expect(
      read({
        localRepository: '/var/lib/kler/environments.git',
        repository: { type: 'local' },
      }),
    ).toBe('/var/lib/kler/environments.git');
  });

  it('is none where the catalog learns of environments otherwise', () => {
    expect(read({})).toBeUndefined();
    // Read by URL: the template's catalog:register step registers it.
    expect(
      read({
        localRepository: '/var/lib/kler/environments.git',
        catalogBaseUrl: 'https://git.kler.example/environments/blob/main',
      }),
    ).toBeUndefined();
    // On GitHub: the catalog's GitHub discovery registers merged environments.
    expect(
      read({
        localRepository: '/var/lib/kler/environments.git',
        repository: {
          type: 'github',
          repoUrl: 'github.com?owner=kler&repo=environments',
        },
      }),
    ).toBeUndefined();
  });
});

describe('catalogEnvironmentsRepository with the real catalog', () => {
  let root: string;
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('registers a published environment as soon as the publish is announced, from a trusted location only', async () => {
    root = await fs.realpath(
      await fs.mkdtemp(path.join(os.tmpdir(), 'kler-mirror-')),
    );
    const { repository, commit } = await createRepository(root);
    let events: EventsService | undefined;
    const publisher = createBackendPlugin({
      pluginId: 'publisher',
      register(env) {
        env.registerInit({
          deps: { pluginEvents: eventsServiceRef },
          async init({ pluginEvents }) {
            events = pluginEvents;
          },
        });
      },
    });
    const refused = new Map<string, string>();
    const { server } = await startTestBackend({
      features: [
        catalogPlugin,
        catalogTrustedEnvironments,
        catalogEnvironmentsRepository,
        catalogTestHooks(refused),
        publisher,
        // The real events service: one bus for every plugin of the backend.
        eventsServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            events: { useEventBus: 'never' },
            catalog: { processingInterval: { seconds: 1 } },
            kler: {
              environments: {
                localRepository: repository,
                // Only the staging directory is trusted here, to show that
                // the catalog still judges each environment's location.
                trustedLocations: [`file:${repository}/environments/staging/*`],
              },
            },
          },
        }),
      ],
    });

    // Published after the start, so only the announcement can bring them in
    // (the test scheduler ran the scheduled read once, at the start).
    await commit({
      'environments/staging/catalog-info.yaml': environment('staging'),
      'environments/rogue/catalog-info.yaml': environment(
        'rogue',
        '666666666666',
      ),
    });
    const announced = Date.now();
    await events!.publish({
      topic: ENVIRONMENTS_PUBLISHED_TOPIC,
      eventPayload: {
        repositoryPath: repository,
        branch: 'main',
        targetDirectory: 'environments/staging',
        commitHash: 'abc',
        mode: 'create',
      },
    });

    const user = mockCredentials.user.header('user:default/guest');
    const get = (ref: string) =>
      request(server)
        .get(`/api/catalog/entities/by-name/${ref}`)
        .set('Authorization', user);
    let staging = await get('resource/default/staging');
    while (staging.status !== 200 || !refused.has('resource:default/rogue')) {
      if (Date.now() - announced > 30_000) {
        throw new Error(
          `staging was not registered: ${staging.status}, refused ${[
            ...refused.keys(),
          ]}`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, 200));
      staging = await get('resource/default/staging');
    }
    expect(
      staging.body.metadata.annotations[
        'backstage.io/managed-by-origin-location'
      ],
    ).toBe(`file:${repository}/environments/staging/catalog-info.yaml`);
    expect((await get('resource/default/rogue')).status).toBe(404);
    expect(refused.get('resource:default/rogue')).toContain(
      'which is not among the trusted locations of environment Resources',
    );
  });
});
