import {
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersCommand,
} from '@aws-sdk/client-ssm';
import {
  accessDenied,
  clearAwsCalls,
  createReader,
  env,
  mockServicesWithSecrets,
  NOW,
  ssm,
  useAwsMocks,
} from '../../__testUtils__/awsMocks';
import { DESCRIBE_PARAMETERS_NAMES_PER_CALL } from './ssm';

useAwsMocks();

/** Parameter Store holding `existing`, answering a Name Equals filter as AWS does. */
function mockParameterStore(existing: string[]) {
  ssm.on(DescribeParametersCommand).callsFake(input => {
    const values: string[] = input.ParameterFilters[0].Values;
    return {
      Parameters: existing
        .filter(name => values.includes(name))
        .map(Name => ({ Name, Type: 'SecureString', Version: 1 })),
    };
  });
}

describe('AwsEnvironmentReader: secrets that point nowhere', () => {
  it('looks the distinct SSM names up by DescribeParameters, never a value, and says which are missing', async () => {
    mockServicesWithSecrets({
      'shop-api': [
        '/kler/production/shop-api/db-password',
        'arn:aws:ssm:eu-west-1:222222222222:parameter/kler/production/shared',
        'arn:aws:secretsmanager:eu-west-1:222222222222:secret:kler/stripe-AbCdEf',
      ],
      storefront: [
        '/kler/production/shared',
        '/kler/production/storefront/gone',
      ],
    });
    mockParameterStore([
      '/kler/production/shop-api/db-password',
      '/kler/production/shared',
    ]);
    const snapshot = await createReader().read(env);

    expect(ssm).toHaveReceivedCommandTimes(DescribeParametersCommand, 1);
    expect(ssm).toHaveReceivedCommandWith(DescribeParametersCommand, {
      ParameterFilters: [
        {
          Key: 'Name',
          Option: 'Equals',
          Values: [
            '/kler/production/shared',
            '/kler/production/shop-api/db-password',
            '/kler/production/storefront/gone',
          ],
        },
      ],
    });
    expect(ssm).not.toHaveReceivedCommand(GetParameterCommand);
    expect(ssm).not.toHaveReceivedCommand(GetParametersCommand);
    expect(snapshot.workloadResources!.secretParameters).toEqual({
      checked: [
        '/kler/production/shared',
        '/kler/production/shop-api/db-password',
        '/kler/production/storefront/gone',
      ],
      missing: ['/kler/production/storefront/gone'],
    });
  });

  it('asks 50 names a call and follows short pages with a token', async () => {
    const names = Array.from(
      { length: DESCRIBE_PARAMETERS_NAMES_PER_CALL + 1 },
      (_, i) => `/kler/production/p${String(i).padStart(3, '0')}`,
    );
    mockServicesWithSecrets({ 'shop-api': names });
    ssm.on(DescribeParametersCommand).callsFake(input => {
      const values: string[] = input.ParameterFilters[0].Values;
      // The first page of a filtered listing may come back empty, with a token.
      if (!input.NextToken) {
        return { Parameters: [], NextToken: 'more' };
      }
      return { Parameters: values.slice(1).map(Name => ({ Name })) };
    });
    const snapshot = await createReader().read(env);

    expect(ssm).toHaveReceivedCommandTimes(DescribeParametersCommand, 4);
    for (const call of ssm.commandCalls(DescribeParametersCommand)) {
      expect(
        call.args[0].input.ParameterFilters![0].Values!.length,
      ).toBeLessThanOrEqual(50);
    }
    expect(snapshot.workloadResources!.secretParameters!.missing).toEqual([
      names[0],
      names[50],
    ]);
  });

  it('reads again only when due or when the names change', async () => {
    mockServicesWithSecrets({ 'shop-api': ['/kler/production/a'] });
    mockParameterStore(['/kler/production/a']);
    let now = NOW;
    const reader = createReader({ now: () => now });
    await reader.read(env);
    clearAwsCalls();
    now = new Date(NOW.getTime() + 60_000);
    await reader.read(env);
    expect(ssm).not.toHaveReceivedCommand(DescribeParametersCommand);

    now = new Date(NOW.getTime() + 11 * 60_000);
    await reader.read(env);
    expect(ssm).toHaveReceivedCommandTimes(DescribeParametersCommand, 1);
  });

  it('is a read error of the workload area when denied, and nothing is missing then', async () => {
    mockServicesWithSecrets({ 'shop-api': ['/kler/production/a'] });
    ssm
      .on(DescribeParametersCommand)
      .rejects(accessDenied('ssm:DescribeParameters'));
    const snapshot = await createReader().read(env);
    expect(snapshot.workloadResources!.secretParameters).toBeUndefined();
    expect(snapshot.readErrors).toEqual([
      expect.objectContaining({
        area: 'workload',
        name: 'AccessDeniedException',
        message: expect.stringContaining('DescribeParameters'),
      }),
    ]);
  });
});
