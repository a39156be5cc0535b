import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-secrets-manager';
import {
  accessDenied,
  clearAwsCalls,
  createReader,
  env,
  mockServicesWithSecrets,
  NOW,
  secretsManager,
  useAwsMocks,
} from '../../__testUtils__/awsMocks';

useAwsMocks();

const secretArn = (name: string, account = '222222222222') =>
  `arn:aws:secretsmanager:eu-west-1:${account}:secret:kler/production/${name}-Q1w2E3`;

/**
 * Secrets Manager holding `existing` (and `deleting`, scheduled for
 * deletion), answering DescribeSecret by full ARN as AWS does.
 */
function mockSecretsManager(existing: string[], deleting: string[] = []) {
  secretsManager.on(DescribeSecretCommand).callsFake(input => {
    const arn = input.SecretId as string;
    if (!existing.includes(arn) && !deleting.includes(arn)) {
      throw new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: { httpStatusCode: 400 },
      });
    }
    return {
      ARN: arn,
      Name: arn.split(':secret:')[1].slice(0, -7),
      ...(deleting.includes(arn) ? { DeletedDate: NOW } : {}),
    };
  });
}

describe('AwsEnvironmentReader: Secrets Manager secrets that point nowhere', () => {
  it('describes each distinct secret of the account and region once by its ARN, never a value, and says which are missing or being deleted', async () => {
    mockServicesWithSecrets({
      'shop-api': [
        `${secretArn('stripe')}:api_key::`,
        `${secretArn('stripe')}:webhook_secret:AWSCURRENT:`,
        secretArn('gone'),
        '/kler/production/shop-api/db-password',
      ],
      storefront: [
        secretArn('stripe'),
        secretArn('retiring'),
        // Shared from another account: not this read role's to look up.
        secretArn('shared', '333333333333'),
      ],
    });
    mockSecretsManager([secretArn('stripe')], [secretArn('retiring')]);
    const snapshot = await createReader().read(env);

    expect(secretsManager).toHaveReceivedCommandTimes(DescribeSecretCommand, 3);
    expect(
      secretsManager
        .commandCalls(DescribeSecretCommand)
        .map(call => call.args[0].input.SecretId)
        .sort(),
    ).toEqual([secretArn('gone'), secretArn('retiring'), secretArn('stripe')]);
    expect(secretsManager).not.toHaveReceivedCommand(GetSecretValueCommand);
    expect(snapshot.workloadResources!.secretsManagerSecrets).toEqual({
      checked: [secretArn('gone'), secretArn('retiring'), secretArn('stripe')],
      missing: [secretArn('gone'), secretArn('retiring')],
    });
  });

  it('makes no call when no task definition names a Secrets Manager secret', async () => {
    mockServicesWithSecrets({
      'shop-api': ['/kler/production/shop-api/db-password'],
    });
    const snapshot = await createReader().read(env);
    expect(secretsManager).not.toHaveReceivedCommand(DescribeSecretCommand);
    expect(snapshot.workloadResources!.secretsManagerSecrets).toEqual({
      checked: [],
      missing: [],
    });
  });

  it('reads again only when due or when the secrets named change', async () => {
    mockServicesWithSecrets({ 'shop-api': [secretArn('stripe')] });
    mockSecretsManager([secretArn('stripe')]);
    let now = NOW;
    const reader = createReader({ now: () => now });
    await reader.read(env);
    clearAwsCalls();
    now = new Date(NOW.getTime() + 60_000);
    await reader.read(env);
    expect(secretsManager).not.toHaveReceivedCommand(DescribeSecretCommand);

    now = new Date(NOW.getTime() + 11 * 60_000);
    await reader.read(env);
    expect(secretsManager).toHaveReceivedCommandTimes(DescribeSecretCommand, 1);
  });

  it('is a read error of the workload area when denied, and nothing is missing then', async () => {
    mockServicesWithSecrets({ 'shop-api': [secretArn('stripe')] });
    secretsManager
      .on(DescribeSecretCommand)
      .rejects(accessDenied('secretsmanager:DescribeSecret'));
    const snapshot = await createReader().read(env);
    expect(snapshot.workloadResources!.secretsManagerSecrets).toBeUndefined();
    expect(snapshot.readErrors).toEqual([
      expect.objectContaining({
        area: 'workload',
        name: 'AccessDeniedException',
        message: expect.stringContaining('DescribeSecret'),
      }),
    ]);
  });
});
