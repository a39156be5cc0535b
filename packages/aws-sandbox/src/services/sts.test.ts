import { ECSClient, ListServicesCommand } from '@aws-sdk/client-ecs';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import type { RunningSandbox } from '../server';
import {
  clientConfig,
  DEVELOPMENT,
  PRODUCTION,
  startKlerSandbox,
} from '../testUtils';

describe('STS', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startKlerSandbox();
  });
  afterAll(() => sandbox.close());

  it('tells the account from the access key id', async () => {
    const production = await new STSClient(
      clientConfig(sandbox.url, PRODUCTION),
    ).send(new GetCallerIdentityCommand({}));
    expect(production).toMatchObject({
      Account: PRODUCTION,
      Arn: `arn:aws:iam::${PRODUCTION}:user/sandbox`,
    });
    const other = await new STSClient({
      ...clientConfig(sandbox.url),
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    }).send(new GetCallerIdentityCommand({}));
    // no account in the key: the scenario's first account
    expect(other.Account).toBe(DEVELOPMENT);
  });

  it('assumes a role whose credentials act in the role account', async () => {
    const sts = new STSClient(clientConfig(sandbox.url, PRODUCTION));
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${DEVELOPMENT}:role/kler-portal-reader`,
        RoleSessionName: 'backstage',
      }),
    );
    expect(out.Credentials!.Expiration).toBeInstanceOf(Date);
    expect(out.Credentials!.Expiration!.getTime()).toBeGreaterThan(Date.now());
    expect(out.AssumedRoleUser!.Arn).toBe(
      `arn:aws:sts::${DEVELOPMENT}:assumed-role/kler-portal-reader/backstage`,
    );
    const credentials = {
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    };
    const identity = await new STSClient({
      ...clientConfig(sandbox.url),
      credentials,
    }).send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({
      Account: DEVELOPMENT,
      Arn: out.AssumedRoleUser!.Arn,
    });
    const ecs = new ECSClient({ ...clientConfig(sandbox.url), credentials });
    const services = await ecs.send(
      new ListServicesCommand({ cluster: 'kler-development' }),
    );
    expect(services.serviceArns).toHaveLength(5);
  });

  it('validates the role ARN', async () => {
    const sts = new STSClient(clientConfig(sandbox.url, PRODUCTION));
    await expect(
      sts.send(
        new AssumeRoleCommand({ RoleArn: 'not-an-arn', RoleSessionName: 'x1' }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      $metadata: { httpStatusCode: 400 },
    });
  });
});
