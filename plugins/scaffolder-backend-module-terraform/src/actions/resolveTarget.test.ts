import { mockServices } from '@backstage/backend-test-utils';
import { NotAllowedError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  createTestContext,
  environmentEntity,
  TEST_ACCOUNTS,
  terraformTestOptions,
  testTarget,
} from '../__testUtils__/fixtures';
import { createResolveTargetAction } from './resolveTarget';

const PROVISION = 'environments.provision';
const PRODUCTION = 'environments.provision.production';
const GITHUB = {
  type: 'github',
  repoUrl: 'github.com?owner=kler&repo=environments',
};

/** A permissions service that grants `granted` to whoever asks. */
function permissionsGranting(granted: string[]) {
  const permissions = mockServices.permissions.mock();
  permissions.authorize.mockImplementation(async requests =>
    requests.map(request => ({
      result: granted.includes(request.permission.name)
        ? AuthorizeResult.ALLOW
        : AuthorizeResult.DENY,
    })),
  );
  return permissions;
}

describe('kler:environment:resolveTarget', () => {
  let workspacePath: string;
  beforeEach(async () => {
    workspacePath = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-target-'));
  });
  afterEach(async () => {
    await fs.rm(workspacePath, { recursive: true, force: true });
  });

  async function resolve(options: {
    granted: string[];
    repository?: Record<string, unknown>;
    input: Record<string, string>;
    isDryRun?: boolean;
  }) {
    const permissions = permissionsGranting(options.granted);
    const action = createResolveTargetAction(
      terraformTestOptions({
        permissions,
        environments: options.repository
          ? { repository: options.repository }
          : {},
        catalog: catalogServiceMock({
          entities: [
            environmentEntity('production', { tier: 'production' }),
            environmentEntity('elsewhere', {
              origin: 'url:https://example.com/catalog-info.yaml',
            }),
          ],
        }),
      }),
    );
    const { ctx, outputs, lines } = createTestContext({
      workspacePath,
      input: options.input,
      isDryRun: options.isDryRun,
    });
    const result = action
      .handler({ ...ctx, user: { ref: 'user:default/alice' } } as any)
      .then(() => outputs);
    return { result, outputs, lines, permissions };
  }

  it('lets the portal apply for a Terraform runner, and says where the code goes', async () => {
    const { result } = await resolve({
      granted: [PROVISION],
      repository: GITHUB,
      input: testTarget('development'),
    });
    expect(await result).toEqual({
      accountId: TEST_ACCOUNTS.development,
      region: 'eu-west-1',
      tier: 'development',
      environment: '',
      delivery: 'github',
      repoUrl: 'github.com?owner=kler&repo=environments',
      defaultBranch: 'main',
      applyBy: 'portal',
    });
  });

  it('hands production to the pipeline for a runner without the production permission', async () => {
    const { result, lines } = await resolve({
      granted: [PROVISION],
      repository: { ...GITHUB, defaultBranch: 'trunk' },
      input: { environment: 'resource:default/production' },
    });
    expect(await result).toMatchObject({
      accountId: TEST_ACCOUNTS.production,
      tier: 'production',
      environment: 'resource:default/production',
      delivery: 'github',
      defaultBranch: 'trunk',
      applyBy: 'pipeline',
    });
    expect(lines).toContainEqual(
      expect.stringContaining(
        `needs the permission ${PRODUCTION}): the change goes to github.com?owner=kler&repo=environments as a pull request`,
      ),
    );
  });

  it('hands everyone else to the pipeline on GitLab, in dry runs too', async () => {
    const { result } = await resolve({
      granted: [],
      repository: {
        type: 'gitlab',
        repoUrl: 'gitlab.com?owner=kler/platform&repo=environments',
      },
      input: testTarget('development'),
      isDryRun: true,
    });
    expect(await result).toMatchObject({
      delivery: 'gitlab',
      repoUrl: 'gitlab.com?owner=kler/platform&repo=environments',
      applyBy: 'pipeline',
    });
  });

  it('lets the portal apply in production with both permissions, with the local repository (the default)', async () => {
    const { result } = await resolve({
      granted: [PROVISION, PRODUCTION],
      input: testTarget('production'),
    });
    expect(await result).toMatchObject({
      tier: 'production',
      delivery: 'local',
      repoUrl: '',
      applyBy: 'portal',
    });
  });

  it('refuses everyone else with the local repository, before any output', async () => {
    const { result, outputs } = await resolve({
      granted: [],
      input: testTarget('development'),
    });
    await expect(result).rejects.toThrow(NotAllowedError);
    await expect(result).rejects.toThrow(
      `user:default/alice may not apply from the portal: applying in development account ${TEST_ACCOUNTS.development} needs the permission ${PROVISION}; kler.environments.repository is local, so there is no pipeline to hand the change to`,
    );
    expect(outputs).toEqual({});
  });

  it('still decides the target first: a pipeline does not make an unknown account or an untrusted environment acceptable', async () => {
    const unknown = await resolve({
      granted: [],
      repository: GITHUB,
      input: { awsAccountId: '333333333333', awsRegion: 'eu-west-1' },
    });
    await expect(unknown.result).rejects.toThrow(
      'AWS account 333333333333 is not one of kler.terraform.accounts',
    );
    expect(unknown.permissions.authorize).not.toHaveBeenCalled();

    const untrusted = await resolve({
      granted: [PROVISION, PRODUCTION],
      repository: GITHUB,
      input: { environment: 'resource:default/elsewhere' },
    });
    await expect(untrusted.result).rejects.toThrow(
      'which is not one of kler.environments.trustedLocations',
    );
  });
});
