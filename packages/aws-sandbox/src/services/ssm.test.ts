import {
  DescribeParametersCommand,
  paginateDescribeParameters,
  ParameterMetadata,
  SSMClient,
} from '@aws-sdk/client-ssm';
import type { RunningSandbox } from '../server';
import {
  clientConfig,
  DEVELOPMENT,
  PEAK,
  PRODUCTION,
  startKlerSandbox,
} from '../testUtils';

const nameEquals = (...names: string[]) => ({
  ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: names }],
});

describe('Systems Manager', () => {
  let sandbox: RunningSandbox;
  let production: SSMClient;
  let development: SSMClient;
  beforeAll(async () => {
    sandbox = await startKlerSandbox(PEAK);
    production = new SSMClient(clientConfig(sandbox.url, PRODUCTION));
    development = new SSMClient(clientConfig(sandbox.url, DEVELOPMENT));
  });
  afterAll(() => sandbox.close());

  it('describes the parameters the secrets name, by name or ARN, metadata only', async () => {
    const { Parameters } = await production.send(
      new DescribeParametersCommand(
        nameEquals(
          '/kler/production/storefront/session-secret',
          '/kler/production/shop-api/db-password',
          '/kler/production/nothing-here',
        ),
      ),
    );
    expect(Parameters!.map(p => p.Name)).toEqual([
      '/kler/production/shop-api/db-password',
      '/kler/production/storefront/session-secret',
    ]);
    expect(Parameters![0]).toMatchObject({
      ARN: 'arn:aws:ssm:eu-west-1:222222222222:parameter/kler/production/shop-api/db-password',
      Type: 'SecureString',
      Version: 1,
    });
    expect(Parameters![0].LastModifiedDate).toBeInstanceOf(Date);
    expect(Object.keys(Parameters![0])).not.toContain('Value');
  });

  it('has no parameter a scenario marks missing, nor another account’s', async () => {
    const { Parameters } = await development.send(
      new DescribeParametersCommand(
        nameEquals(
          '/kler/development/storefront/session-secret',
          '/kler/development/stripe-api-key',
          '/kler/production/shop-api/db-password',
        ),
      ),
    );
    expect(Parameters!.map(p => p.Name)).toEqual([
      '/kler/development/stripe-api-key',
    ]);
  });

  it('pages, and filters by path', async () => {
    const all: ParameterMetadata[] = [];
    for await (const page of paginateDescribeParameters(
      { client: production, pageSize: 1 },
      {
        ParameterFilters: [
          { Key: 'Path', Option: 'Recursive', Values: ['/kler'] },
        ],
      },
    )) {
      expect(page.Parameters!.length).toBeLessThanOrEqual(1);
      all.push(...page.Parameters!);
    }
    expect(all.map(p => p.Name)).toEqual([
      '/kler/production/shop-api/db-password',
      '/kler/production/storefront/session-secret',
    ]);
  });

  it('answers bad filters and sizes as SSM does', async () => {
    await expect(
      production.send(
        new DescribeParametersCommand(
          nameEquals(...Array.from({ length: 51 }, (_, i) => `/p${i}`)),
        ),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      production.send(
        new DescribeParametersCommand({
          ParameterFilters: [{ Key: 'Owner', Values: ['me'] }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidFilterKey' });
    await expect(
      production.send(
        new DescribeParametersCommand({
          ParameterFilters: [
            { Key: 'Name', Option: 'Contains', Values: ['x'] },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidFilterOption' });
    await expect(
      production.send(new DescribeParametersCommand({ MaxResults: 51 })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
