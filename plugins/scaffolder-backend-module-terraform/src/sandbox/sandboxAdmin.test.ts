import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { RunningSandbox, startSandbox } from '@kler/aws-sandbox';
import { addSandboxEnvironment, readSandboxAdminUrl } from './sandboxAdmin';

const configWith = (adminUrl?: unknown) =>
  new ConfigReader(
    adminUrl === undefined
      ? {}
      : { kler: { environments: { sandbox: { adminUrl } } } },
  );

describe('readSandboxAdminUrl', () => {
  it('is undefined unless the sandbox is configured', () => {
    expect(readSandboxAdminUrl(configWith())).toBeUndefined();
    expect(readSandboxAdminUrl(configWith('http://127.0.0.1:4566/'))).toBe(
      'http://127.0.0.1:4566',
    );
  });

  it.each(['127.0.0.1:4566', 'file:///tmp/sandbox', 'not a url'])(
    'refuses %s naming the key',
    value => {
      expect(() => readSandboxAdminUrl(configWith(value))).toThrow(
        `Invalid config at kler.environments.sandbox.adminUrl: '${value}' is not an http(s) URL`,
      );
    },
  );
});

describe('addSandboxEnvironment', () => {
  let sandbox: RunningSandbox;
  const preview = {
    name: 'preview',
    account: '111111111111',
    cluster: 'kler-preview',
    vault: 'kler-preview',
  };
  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: resolvePackagePath('@kler/aws-sandbox', 'scenarios/kler.yaml'),
      clock: { speed: 0 },
    });
  });
  afterAll(() => sandbox.close());

  it('adds an environment, and takes it again without change', async () => {
    await expect(
      addSandboxEnvironment(sandbox.url, preview),
    ).resolves.toMatchObject({
      created: true,
      environment: { name: 'preview', cluster: 'kler-preview', services: [] },
    });
    await expect(
      addSandboxEnvironment(sandbox.url, preview),
    ).resolves.toMatchObject({ created: false });
  });

  it("fails with the sandbox's reasons", async () => {
    await expect(
      addSandboxEnvironment(sandbox.url, { ...preview, vault: 'other' }),
    ).rejects.toThrow(
      `The sandbox at ${sandbox.url} refused the environment (HTTP 409): The sandbox already has a different environment preview; remove it first`,
    );
    await expect(
      addSandboxEnvironment(sandbox.url, { ...preview, name: 'p2', x: 1 }),
    ).rejects.toThrow('(HTTP 400): environment.x: unknown key');
    await expect(
      addSandboxEnvironment(sandbox.url, {
        ...preview,
        name: 'p3',
        cluster: 'kler-p3',
        vault: 'kler-p3',
        account: '999999999999',
      }),
    ).rejects.toThrow(
      '(HTTP 400): environment.account: 999999999999 is not in accounts',
    );
  });
});
