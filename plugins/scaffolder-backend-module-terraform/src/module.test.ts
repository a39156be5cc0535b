import { JsonObject } from '@backstage/types';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  scaffolderActionsExtensionPoint,
  TemplateAction,
} from '@backstage/plugin-scaffolder-node';
import { scaffolderModuleTerraform } from './module';

describe('scaffolderModuleTerraform', () => {
  it('registers the Terraform, environment and local git actions with JSON schemas', async () => {
    const actions: TemplateAction<any, any, any>[] = [];
    await startTestBackend({
      extensionPoints: [
        [
          scaffolderActionsExtensionPoint,
          { addActions: (...added: any[]) => actions.push(...added) },
        ],
      ],
      features: [
        scaffolderModuleTerraform,
        mockServices.rootConfig.factory({
          data: { kler: { terraform: { binary: 'tofu' } } },
        }),
      ],
    });
    expect(actions.map(action => action.id).sort()).toEqual([
      'kler:environment:provisionSandbox',
      'kler:environment:resolveImage',
      'kler:environment:resolveTarget',
      'kler:environment:setVariables',
      'kler:environment:writePipelineConfig',
      'kler:git:fetchLocal',
      'kler:git:publishLocal',
      'kler:terraform:apply',
      'kler:terraform:check',
      'kler:terraform:output',
      'kler:terraform:plan',
    ]);
    for (const action of actions) {
      expect(action.examples?.length).toBeGreaterThan(0);
      expect(action.schema?.input).toMatchObject({ type: 'object' });
    }
    const apply = actions.find(action => action.id === 'kler:terraform:apply')!;
    expect((apply.schema!.input as any).required).toEqual(['allowDestroy']);
    expect(apply.supportsDryRun).toBe(true);
  });
});

describe('scaffolderModuleTerraform config', () => {
  it.each([
    [
      { accounts: [{ accountId: '12345', tier: 'development' }] },
      /kler\.terraform\.accounts\[0\]\.accountId: '12345' is not a 12-digit AWS account id/,
    ],
    [
      { accounts: [{ accountId: '111111111111', tier: 'staging' }] },
      /kler\.terraform\.accounts\[0\]\.tier: must be one of development, production/,
    ],
    [
      {
        accounts: [
          { accountId: '111111111111', tier: 'development' },
          { accountId: '111111111111', tier: 'production' },
        ],
      },
      /kler\.terraform\.accounts\[1\]\.accountId: account 111111111111 is listed twice/,
    ],
    [{ maxConcurrentRuns: 0 }, /kler\.terraform\.maxConcurrentRuns/],
  ])(
    'fails at start on bad kler.terraform config, naming the key',
    async (terraform, message) => {
      await expect(
        startTestBackend({
          extensionPoints: [
            [scaffolderActionsExtensionPoint, { addActions: () => {} }],
          ],
          features: [
            scaffolderModuleTerraform,
            mockServices.rootConfig.factory({ data: { kler: { terraform } } }),
          ],
        }),
      ).rejects.toThrow(message);
    },
  );
});

describe('scaffolderModuleTerraform kler.environments.repository', () => {
  it.each([
    [
      { type: 'svn' },
      /kler\.environments\.repository\.type: must be one of local, github, gitlab/,
    ],
    [
      { type: 'gitlab' },
      /kler\.environments\.repository\.repoUrl: type gitlab needs the repository/,
    ],
  ])('fails at start on %j, naming the key', async (repository, message) => {
    await expect(
      startTestBackend({
        extensionPoints: [
          [scaffolderActionsExtensionPoint, { addActions: () => {} }],
        ],
        features: [
          scaffolderModuleTerraform,
          mockServices.rootConfig.factory({
            data: { kler: { environments: { repository } } },
          }),
        ],
      }),
    ).rejects.toThrow(message);
  });

  it('starts with a GitHub repository', async () => {
    const actions: TemplateAction<any, any, any>[] = [];
    await startTestBackend({
      extensionPoints: [
        [
          scaffolderActionsExtensionPoint,
          { addActions: (...added: any[]) => actions.push(...added) },
        ],
      ],
      features: [
        scaffolderModuleTerraform,
        mockServices.rootConfig.factory({
          data: {
            kler: {
              environments: {
                repository: {
                  type: 'github',
                  repoUrl: 'github.com?owner=kler&repo=environments',
                },
              },
            },
          },
        }),
      ],
    });
    expect(actions.map(action => action.id)).toContain(
      'kler:environment:resolveTarget',
    );
  });
});

describe('scaffolderModuleTerraform drift schedule', () => {
  async function start(terraform: JsonObject) {
    const scheduler = mockServices.scheduler.mock();
    await startTestBackend({
      extensionPoints: [
        [scaffolderActionsExtensionPoint, { addActions: () => {} }],
      ],
      features: [
        scaffolderModuleTerraform,
        scheduler.factory,
        mockServices.rootConfig.factory({ data: { kler: { terraform } } }),
      ],
    });
    return scheduler;
  }

  it('schedules one global drift check at the configured frequency', async () => {
    const scheduler = await start({ drift: { frequency: { hours: 6 } } });
    expect(scheduler.scheduleTask).toHaveBeenCalledTimes(1);
    expect(scheduler.scheduleTask.mock.calls[0][0]).toMatchObject({
      id: 'kler-terraform-drift',
      scope: 'global',
      frequency: { hours: 6 },
      timeout: { hours: 6 },
    });
  });

  it('takes a timeout of its own, and ISO durations', async () => {
    const scheduler = await start({
      drift: { frequency: 'PT12H', timeout: { minutes: 90 } },
    });
    expect(scheduler.scheduleTask.mock.calls[0][0]).toMatchObject({
      frequency: { hours: 12 },
      timeout: { minutes: 90 },
    });
  });

  it('checks nothing unless configured', async () => {
    const scheduler = await start({});
    expect(scheduler.scheduleTask).not.toHaveBeenCalled();
  });

  it('fails at start on a bad frequency, naming the key', async () => {
    await expect(start({ drift: { frequency: 'often' } })).rejects.toThrow(
      /kler\.terraform\.drift\.frequency/,
    );
  });
});
