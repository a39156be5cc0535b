import {
  DescribeSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { loadScenarioFile } from '../scenario/load';
import type { Scenario, ServiceSpec } from '../scenario/schema';
import type { RunningSandbox } from '../server';
import {
  clientConfig,
  DEVELOPMENT,
  KLER_SCENARIO,
  PEAK,
  PRODUCTION,
  startKlerSandbox,
} from '../testUtils';

/** The Secrets Manager secret production's shop-api names in scenarios/kler.yaml; the others are added below. */
const STRIPE =
  'arn:aws:secretsmanager:eu-west-1:222222222222:secret:kler/production/stripe-api-key-Q1w2E3';
const SEARCH =
  'arn:aws:secretsmanager:eu-west-1:222222222222:secret:kler/production/search-api-key-Zx9Yw8';
const LEGACY =
  'arn:aws:secretsmanager:eu-west-1:222222222222:secret:kler/production/legacy-token-Lg4Cy7';
/** In an account of no environment: the secret is not production's, though its service names it. */
const SHARED =
  'arn:aws:secretsmanager:eu-west-1:333333333333:secret:kler/shared/token-Sh4Rd1';
const DEVELOPMENT_PAYPAL =
  'arn:aws:secretsmanager:eu-west-1:111111111111:secret:kler/development/paypal-api-key-Dv5Ab1';

/** Secrets added to shop-api's, per environment, beside those of scenarios/kler.yaml. */
const MORE_SECRETS: Record<string, ServiceSpec['secrets']> = {
  production: [
    // as a task definition names one key of a JSON secret
    {
      name: 'SEARCH_API_KEY',
      valueFrom: `${SEARCH}:api_key::`,
      missing: false,
    },
    { name: 'LEGACY_TOKEN', valueFrom: LEGACY, missing: true },
    { name: 'SHARED_TOKEN', valueFrom: SHARED, missing: false },
  ],
  development: [
    { name: 'PAYPAL_API_KEY', valueFrom: DEVELOPMENT_PAYPAL, missing: false },
  ],
};

function scenarioWithMoreSecrets(): Scenario {
  const scenario = loadScenarioFile(KLER_SCENARIO);
  return {
    ...scenario,
    environments: scenario.environments.map(environment => ({
      ...environment,
      services: environment.services.map(service =>
        service.name === 'shop-api'
          ? {
              ...service,
              secrets: [
                ...service.secrets,
                ...(MORE_SECRETS[environment.name] ?? []),
              ],
            }
          : service,
      ),
    })),
  };
}

const NOT_FOUND = {
  name: 'ResourceNotFoundException',
  message: "Secrets Manager can't find the specified secret.",
  $metadata: { httpStatusCode: 400 },
};

describe('Secrets Manager', () => {
  let sandbox: RunningSandbox;
  let production: SecretsManagerClient;
  let development: SecretsManagerClient;
  const describeSecret = (client: SecretsManagerClient, SecretId: string) =>
    client.send(new DescribeSecretCommand({ SecretId }));
  beforeAll(async () => {
    sandbox = await startKlerSandbox(PEAK, scenarioWithMoreSecrets());
    production = new SecretsManagerClient(
      clientConfig(sandbox.url, PRODUCTION),
    );
    development = new SecretsManagerClient(
      clientConfig(sandbox.url, DEVELOPMENT),
    );
  });
  afterAll(() => sandbox.close());
  afterEach(() => sandbox.admin.reset());

  it('describes a secret a service names, by full ARN, partial ARN or name, metadata only', async () => {
    const answers = await Promise.all(
      [
        STRIPE,
        'arn:aws:secretsmanager:eu-west-1:222222222222:secret:kler/production/stripe-api-key',
        'kler/production/stripe-api-key',
      ].map(async id => {
        const { $metadata, ...answer } = await describeSecret(production, id);
        return answer;
      }),
    );
    expect(answers[0]).toMatchObject({
      ARN: STRIPE,
      Name: 'kler/production/stripe-api-key',
      CreatedDate: expect.any(Date),
      LastChangedDate: expect.any(Date),
    });
    expect(Object.values(answers[0].VersionIdsToStages!)).toEqual([
      ['AWSCURRENT'],
    ]);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(Object.keys(answers[0])).not.toContain('SecretString');
    expect(Object.keys(answers[0])).not.toContain('SecretBinary');
  });

  it('finds no secret the scenario marks missing, nor an unknown one', async () => {
    for (const id of [
      LEGACY,
      'kler/production/legacy-token',
      'kler/production/nothing-here',
      // a name with the suffix is no name of the secret
      'kler/production/stripe-api-key-Q1w2E3',
      // a full ARN with another suffix names another secret
      `${STRIPE.slice(0, -6)}AAAAAA`,
    ]) {
      await expect(describeSecret(production, id)).rejects.toMatchObject(
        NOT_FOUND,
      );
    }
  });

  it('finds no secret of another account or region', async () => {
    await expect(
      describeSecret(production, DEVELOPMENT_PAYPAL),
    ).rejects.toMatchObject(NOT_FOUND);
    await expect(
      describeSecret(development, DEVELOPMENT_PAYPAL),
    ).resolves.toMatchObject({ ARN: DEVELOPMENT_PAYPAL });
    for (const id of [SHARED, 'kler/shared/token']) {
      await expect(describeSecret(production, id)).rejects.toMatchObject(
        NOT_FOUND,
      );
    }
    const frankfurt = new SecretsManagerClient(
      clientConfig(sandbox.url, PRODUCTION, { region: 'eu-central-1' }),
    );
    await expect(describeSecret(frankfurt, STRIPE)).rejects.toMatchObject(
      NOT_FOUND,
    );
  });

  it("has the secret a task definition's json-key reference names, but takes only the ids DescribeSecret does", async () => {
    await expect(describeSecret(production, SEARCH)).resolves.toMatchObject({
      ARN: SEARCH,
      Name: 'kler/production/search-api-key',
    });
    await expect(
      describeSecret(production, `${SEARCH}:api_key::`),
    ).rejects.toMatchObject(NOT_FOUND);
  });

  it('answers a request without SecretId with the validation error AWS gives', async () => {
    await expect(
      production.send(new DescribeSecretCommand({} as any)),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('throttles, fails and denies DescribeSecret like every operation', async () => {
    sandbox.admin.setThrottling({
      enabled: true,
      ratePerSecond: 0.01,
      burst: 2,
    });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => describeSecret(production, STRIPE)),
    );
    expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(2);
    expect(
      results.map(r => r.status === 'rejected' && r.reason.name),
    ).toContain('ThrottlingException');
    // the limit is per account: development still has its burst
    await expect(
      describeSecret(development, DEVELOPMENT_PAYPAL),
    ).resolves.toMatchObject({ ARN: DEVELOPMENT_PAYPAL });
    sandbox.admin.setThrottling({ enabled: false });

    sandbox.admin.setFaults([
      { service: 'secrets-manager', accessDenied: true },
    ]);
    await expect(describeSecret(production, STRIPE)).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    sandbox.admin.setFaults([
      {
        service: 'secretsmanager',
        operation: 'DescribeSecret',
        serverError: 503,
      },
    ]);
    await expect(describeSecret(production, STRIPE)).rejects.toMatchObject({
      name: 'ServiceUnavailable',
      $metadata: { httpStatusCode: 503 },
    });
  });
});
