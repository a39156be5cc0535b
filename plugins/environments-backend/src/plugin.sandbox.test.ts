import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { RunningSandbox, startSandbox } from '@kler/aws-sandbox';
import {
  EnvironmentListResponse,
  ProblemListResponse,
  compareProblems,
} from '@kler/plugin-environments-common';
import path from 'node:path';
import request from 'supertest';
import { environmentEntity } from './__testUtils__/fixtures';
import { environmentsPlugin } from './plugin';

/*
 * The plugin, with the real scheduler, against the AWS sandbox in this
 * process: what the dashboard reads, and how soon.
 */

jest.setTimeout(120_000);

const KLER_SCENARIO = path.join(
  path.dirname(require.resolve('@kler/aws-sandbox/package.json')),
  'scenarios',
  'kler.yaml',
);
const KLER_SERVICES = 5;

// The sandbox acts in the account whose id is in the access key id.
const awsConfig = {
  aws: {
    accounts: ['111111111111', '222222222222'].map(accountId => ({
      accountId,
      accessKeyId: `SANDBOX${accountId}`,
      secretAccessKey: 'sandbox',
    })),
  },
};

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, scenario: KLER_SCENARIO });
});

afterAll(async () => {
  await sandbox?.close();
});

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(intervalMs);
  }
}

describe('environments backend against the KLER sandbox', () => {
  it('serves both environments, marked as sandbox, and their problems worst first', async () => {
    const { server } = await startTestBackend({
      features: [
        environmentsPlugin,
        mockServices.rootConfig.factory({
          data: {
            ...awsConfig,
            environments: {
              environments: [
                { name: 'production', endpoint: sandbox.url },
                { name: 'development', endpoint: sandbox.url },
              ],
            },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            environmentEntity('production', {
              'kler.io/well-architected-workload-id': 'kler-production',
            }),
            environmentEntity('development', {
              'kler.io/well-architected-workload-id': 'kler-development',
            }),
          ],
        }),
      ],
    });

    const list = await request(server).get('/api/environments/v1/environments');
    expect(list.status).toBe(200);
    const items = (list.body as EnvironmentListResponse).items;
    expect(items.map(i => [i.name, i.source, i.stale])).toEqual([
      ['development', 'sandbox', false],
      ['production', 'sandbox', false],
    ]);
    for (const item of items) {
      expect(item.error).toBeUndefined();
      expect(item.counts.services).toBe(KLER_SERVICES);
    }

    const problems = await request(server).get('/api/environments/v1/problems');
    expect(problems.status).toBe(200);
    const problemItems = (problems.body as ProblemListResponse).items;
    expect(problemItems.length).toBeGreaterThan(0);
    expect([...problemItems].sort(compareProblems)).toEqual(problemItems);
  });

  it('shows a service that turns unhealthy within one refresh interval plus 5 s', async () => {
    const refreshSeconds = 10;
    // The service's tasks crash (out of memory) every 30 s per task, from a
    // moment a little ahead: until then it runs clean.
    const sandboxNow = Date.parse(sandbox.admin.state().now);
    sandbox.admin.addEnvironment({
      name: 'freshness',
      account: '111111111111',
      cluster: 'kler-freshness',
      vault: 'kler-freshness',
      capacityProviders: [
        {
          name: 'kler-freshness-ec2',
          autoScalingGroup: { name: 'kler-freshness', min: 1, max: 2 },
        },
      ],
      services: [
        {
          name: 'checkout',
          min: 2,
          max: 2,
          crash: {
            everyMinutes: 0.5,
            since: new Date(sandboxNow + 15_000).toISOString(),
          },
        },
      ],
    });
    try {
      const { server } = await startTestBackend({
        features: [
          environmentsPlugin,
          schedulerServiceFactory,
          mockServices.rootConfig.factory({
            data: {
              ...awsConfig,
              environments: {
                environments: [
                  {
                    name: 'freshness',
                    accountId: '111111111111',
                    region: 'eu-west-1',
                    cluster: 'kler-freshness',
                    endpoint: sandbox.url,
                  },
                ],
                refresh: { frequency: { seconds: refreshSeconds } },
              },
            },
          }),
          catalogServiceMock.factory({ entities: [] }),
        ],
      });
      const problemsOf = async () => {
        const response = await request(server).get(
          '/api/environments/v1/problems?environment=freshness',
        );
        expect(response.status).toBe(200);
        return (response.body as ProblemListResponse).items.filter(
          problem => problem.serviceName === 'checkout',
        );
      };
      const runningIsBelowDesired = () =>
        sandbox.admin
          .state()
          .environments.find(env => env.name === 'freshness')!
          .services.some(service => service.running < service.desired);

      // Healthy at first, as read by the scheduled refresh.
      expect(await problemsOf()).toEqual([]);
      expect(runningIsBelowDesired()).toBe(false);

      // The moment a task crashes in the sandbox...
      const turnedAt = await waitFor(
        'a task of checkout to crash in the sandbox',
        async () => (runningIsBelowDesired() ? Date.now() : undefined),
        60_000,
        100,
      );
      // ...until the dashboard's API shows it.
      const problems = await waitFor(
        'the crash on the problems of freshness',
        async () => {
          const found = await problemsOf();
          return found.length > 0 ? found : undefined;
        },
        (refreshSeconds + 10) * 1000,
        100,
      );
      const shownAfterMs = Date.now() - turnedAt;

      expect(problems.map(problem => problem.id)).toContainEqual(
        expect.stringMatching(/^freshness\/service\/checkout\//),
      );
      expect(shownAfterMs).toBeLessThanOrEqual((refreshSeconds + 5) * 1000);
    } finally {
      sandbox.admin.removeEnvironment('freshness');
    }
  });
});
