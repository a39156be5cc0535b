import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KLER_SCENARIO } from '../testUtils';
import {
  loadScenarioFile,
  parseEnvironment,
  parseScenario,
  ScenarioError,
} from './load';
import { generateScenario } from './generate';

const minimal = () => ({
  accounts: [{ id: '111111111111', name: 'dev' }],
  environments: [
    {
      name: 'dev',
      account: '111111111111',
      cluster: 'c',
      vault: 'v',
      capacityProviders: [
        { name: 'cp', autoScalingGroup: { name: 'asg', min: 1, max: 2 } },
      ],
      services: [{ name: 'web', min: 1, max: 2 }],
      resources: [{ type: 'rds', name: 'db' }],
      backupPlans: [
        {
          name: 'p',
          rules: [{ name: 'r', schedule: 'cron(0 3 * * ? *)' }],
          selections: [{ name: 's', resources: ['db'] }],
        },
      ],
    },
  ],
});

function problemsOf(input: unknown): string[] {
  try {
    parseScenario(input);
  } catch (error) {
    if (error instanceof ScenarioError) return error.problems;
    throw error;
  }
  return [];
}

describe('scenario', () => {
  it('loads the KLER scenario', () => {
    const scenario = loadScenarioFile(KLER_SCENARIO);
    expect(
      scenario.environments.map(e => [
        e.name,
        e.account,
        e.cluster,
        e.vault,
        e.workload?.id,
      ]),
    ).toEqual([
      [
        'production',
        '222222222222',
        'kler-production',
        'kler-production',
        'kler-production',
      ],
      [
        'development',
        '111111111111',
        'kler-development',
        'kler-development',
        'kler-development',
      ],
    ]);
    for (const env of scenario.environments) {
      expect(env.services.map(s => s.name)).toEqual([
        'storefront',
        'shop-api',
        'admin-panel',
        'image-service',
        'order-worker',
      ]);
      expect(env.resources.map(r => r.name)).toEqual([
        'shop-media',
        'shop-database',
      ]);
    }
    expect(scenario.environments[0].availabilityZones).toHaveLength(3);
  });

  it('fills defaults', () => {
    const scenario = parseScenario(minimal());
    expect(scenario.seed).toBe('kler');
    expect(scenario.throttling).toEqual({
      enabled: true,
      ratePerSecond: 20,
      burst: 40,
    });
    expect(scenario.environments[0].services[0]).toMatchObject({
      cpu: 256,
      memory: 512,
      health: 'healthy',
    });
  });

  it('names the path of an unknown key', () => {
    const input: any = minimal();
    input.environments[0].services[0].cpuu = 512;
    expect(problemsOf(input)).toEqual([
      'environments[0].services[0].cpuu: unknown key',
    ]);
  });

  it('names the path of a bad value', () => {
    const input: any = minimal();
    input.environments[0].account = '123';
    input.environments[0].backupPlans[0].rules[0].schedule = 'rate(1 day)';
    const problems = problemsOf(input);
    expect(problems).toContainEqual(
      expect.stringMatching(/^environments\[0\]\.account: must be a 12-digit/),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(
        /^environments\[0\]\.backupPlans\[0\]\.rules\[0\]\.schedule: must be cron/,
      ),
    );
  });

  it('checks references between sections', () => {
    const input: any = minimal();
    input.environments[0].account = '999999999999';
    input.environments[0].backupPlans[0].selections[0].resources = ['media'];
    input.environments[0].services[0].min = 3;
    expect(problemsOf(input)).toEqual([
      'environments[0].services[0]: min must not exceed max',
    ]);
    input.environments[0].services[0].min = 1;
    expect(problemsOf(input)).toEqual([
      'environments[0].account: 999999999999 is not in accounts',
      'environments[0].backupPlans[0].selections[0].resources[0]: media is not in resources',
    ]);
  });

  it('rejects two services sharing a target group name', () => {
    const input: any = minimal();
    input.environments[0].services = [
      { name: 'web', min: 1, max: 2, targetGroup: 'shared' },
      { name: 'api', min: 1, max: 2, targetGroup: 'shared' },
    ];
    expect(problemsOf(input)).toEqual([
      'environments[0].services[1].targetGroup: shared is already the target group of services[0]',
    ]);
  });

  it("checks a service's zones, variables and secrets", () => {
    const input: any = minimal();
    expect(parseScenario(input).environments[0].services[0]).toMatchObject({
      environment: [],
      secrets: [],
    });
    input.environments[0].services[0] = {
      name: 'web',
      min: 1,
      max: 2,
      availabilityZones: ['eu-west-1a', 'eu-west-1z'],
      environment: [{ name: 'TOKEN', value: 'x' }],
      secrets: [
        { name: 'TOKEN', valueFrom: '/kler/web/token' },
        {
          name: 'DB',
          valueFrom: 'arn:aws:ssm:eu-west-1:111111111111:parameter/kler/db',
        },
        {
          name: 'STRIPE',
          valueFrom:
            'arn:aws:secretsmanager:eu-west-1:111111111111:secret:stripe-AbCdEf',
        },
        { name: 'BUCKET', valueFrom: 'arn:aws:s3:::bucket/key' },
      ],
    };
    expect(problemsOf(input)).toEqual([
      'environments[0].services[0].availabilityZones[1]: eu-west-1z is not in availabilityZones',
      'environments[0].services[0].secrets[0].name: TOKEN is set twice',
      'environments[0].services[0].secrets[3].valueFrom: must be an SSM parameter name or ARN, or a Secrets Manager secret ARN',
    ]);
  });

  it('reports the file in the error message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-sandbox-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'accounts: []\n');
    expect(() => loadScenarioFile(file)).toThrow(
      `Invalid scenario ${file}:\n  accounts: `,
    );
  });

  it('generates valid large scenarios', () => {
    const scenario = parseScenario(
      generateScenario({
        environments: 2,
        servicesPerEnvironment: 1000,
        tasksPerService: 5,
      }),
    );
    expect(scenario.environments).toHaveLength(2);
    expect(
      scenario.environments.reduce(
        (n, e) => n + e.services.reduce((m, s) => m + s.max, 0),
        0,
      ),
    ).toBe(10000);
  });
});

describe('an environment added to a running sandbox', () => {
  const scenario = parseScenario(minimal());
  const staging = () => ({
    ...minimal().environments[0],
    name: 'staging',
    cluster: 'kler-staging',
    vault: 'kler-staging',
    services: [{ name: 'web', min: 1, max: 2, targetGroup: 'staging-web' }],
  });
  const problemsOfEnvironment = (input: unknown) => {
    try {
      parseEnvironment(input, scenario, scenario.environments);
    } catch (error) {
      if (error instanceof ScenarioError) return error.problems;
      throw error;
    }
    return [];
  };

  it('is checked as a scenario environment is, with defaults filled', () => {
    const env = parseEnvironment(staging(), scenario, scenario.environments);
    expect(env).toMatchObject({
      name: 'staging',
      region: 'eu-west-1',
      services: [{ name: 'web', cpu: 256, memory: 512, health: 'healthy' }],
    });
    expect(
      problemsOfEnvironment({ ...staging(), account: '999999999999', x: 1 }),
    ).toEqual(['environment.x: unknown key']);
    expect(
      problemsOfEnvironment({ ...staging(), account: '999999999999' }),
    ).toEqual(['environment.account: 999999999999 is not in accounts']);
    expect(
      problemsOfEnvironment({ ...staging(), capacityProviders: [] }),
    ).toEqual([
      'environment.capacityProviders: services need at least one capacity provider',
    ]);
  });

  it('may not clash with what the sandbox holds in its account and region', () => {
    expect(
      problemsOfEnvironment({
        ...staging(),
        name: 'dev',
        cluster: 'c',
        vault: 'v',
      }),
    ).toEqual([
      'environment.name: an environment dev exists',
      'environment.cluster: cluster c exists in 111111111111 eu-west-1',
      'environment.vault: vault v exists in 111111111111 eu-west-1',
    ]);
    const withTargetGroup = parseScenario({
      ...minimal(),
      environments: [
        {
          ...minimal().environments[0],
          services: [
            { name: 'web', min: 1, max: 2, targetGroup: 'staging-web' },
          ],
        },
      ],
    });
    expect(() =>
      parseEnvironment(staging(), scenario, withTargetGroup.environments),
    ).toThrow(
      'environment.services[0].targetGroup: staging-web exists in 111111111111 eu-west-1',
    );
    // Another region is another namespace for AWS names.
    expect(
      parseEnvironment(
        { ...staging(), name: 'dev-eu', cluster: 'c', region: 'eu-central-1' },
        scenario,
        scenario.environments,
      ).cluster,
    ).toBe('c');
  });
});
