import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { EnvironmentsRepository } from './repository';
import { ProvisioningTarget } from './targets';
import { decideWhoApplies } from './whoApplies';

const PROVISION = 'environments.provision';
const PRODUCTION = 'environments.provision.production';

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

const development: ProvisioningTarget = {
  accountId: '111111111111',
  region: 'eu-west-1',
  tier: 'development',
};
const production: ProvisioningTarget = {
  accountId: '222222222222',
  region: 'eu-west-1',
  tier: 'production',
  environmentRef: 'resource:default/production',
};
const local: EnvironmentsRepository = {
  delivery: 'local',
  repoUrl: '',
  defaultBranch: 'main',
};
const github: EnvironmentsRepository = {
  delivery: 'github',
  repoUrl: 'github.com?owner=kler&repo=environments',
  defaultBranch: 'main',
};
const gitlab: EnvironmentsRepository = {
  delivery: 'gitlab',
  repoUrl: 'gitlab.com?owner=kler&repo=environments',
  defaultBranch: 'main',
};

async function decide(
  target: ProvisioningTarget,
  repository: EnvironmentsRepository,
  granted: string[] | undefined,
) {
  const credentials = mockCredentials.user('user:default/alice');
  const permissions = granted ? permissionsGranting(granted) : undefined;
  const lines: string[] = [];
  const applyBy = await decideWhoApplies(target, repository, {
    permissions,
    getInitiatorCredentials: async () => credentials,
    user: { ref: 'user:default/alice' },
    logger: { info: line => lines.push(line) },
  });
  return { applyBy, lines, permissions, credentials };
}

describe('decideWhoApplies', () => {
  const targets = { development, production };
  const repositories = { local, github, gitlab };

  it.each([
    ['development', 'github', [PROVISION], 'portal'],
    ['development', 'local', [PROVISION], 'portal'],
    ['development', 'github', [], 'pipeline'],
    ['development', 'gitlab', [PRODUCTION], 'pipeline'],
    ['production', 'github', [PROVISION, PRODUCTION], 'portal'],
    ['production', 'local', [PROVISION, PRODUCTION], 'portal'],
    ['production', 'github', [PROVISION], 'pipeline'],
    ['production', 'gitlab', [PRODUCTION], 'pipeline'],
    ['production', 'github', [], 'pipeline'],
  ] as const)(
    'a %s account, a %s repository, granted %j: the %s applies',
    async (tier, delivery, granted, expected) => {
      const { applyBy } = await decide(targets[tier], repositories[delivery], [
        ...granted,
      ]);
      expect(applyBy).toBe(expected);
    },
  );

  it('asks for environments.provision, and in production for environments.provision.production too, as the initiator', async () => {
    const dev = await decide(development, github, [PROVISION]);
    expect(dev.permissions!.authorize).toHaveBeenCalledWith(
      [{ permission: expect.objectContaining({ name: PROVISION }) }],
      { credentials: dev.credentials },
    );
    const prod = await decide(production, github, [PROVISION]);
    expect(prod.permissions!.authorize).toHaveBeenCalledWith(
      [
        { permission: expect.objectContaining({ name: PROVISION }) },
        { permission: expect.objectContaining({ name: PRODUCTION }) },
      ],
      { credentials: prod.credentials },
    );
  });

  it('says who applies and why in the log', async () => {
    expect((await decide(production, github, [PROVISION])).lines).toEqual([
      `user:default/alice does not apply from the portal (applying in production account 222222222222 (resource:default/production) needs the permission ${PRODUCTION}): the change goes to github.com?owner=kler&repo=environments as a pull request, whose pipeline plans and applies it once reviewed and merged`,
    ]);
    expect((await decide(development, gitlab, [])).lines[0]).toContain(
      'as a merge request',
    );
    expect((await decide(development, local, [PROVISION])).lines).toEqual([
      `user:default/alice may apply from the portal in development account 111111111111 (${PROVISION}): the portal plans and applies`,
    ]);
  });

  it('refuses, with the local repository, those the portal may not apply for: there is no pipeline', async () => {
    await expect(decide(development, local, [])).rejects.toThrow(
      NotAllowedError,
    );
    await expect(decide(development, local, [])).rejects.toThrow(
      `user:default/alice may not apply from the portal: applying in development account 111111111111 needs the permission ${PROVISION}; kler.environments.repository is local, so there is no pipeline to hand the change to. Nothing was run`,
    );
    await expect(decide(production, local, [PROVISION])).rejects.toThrow(
      `needs the permission ${PRODUCTION}; kler.environments.repository is local`,
    );
    await expect(decide(production, local, [])).rejects.toThrow(
      `needs the permission ${PROVISION} and ${PRODUCTION};`,
    );
  });

  it('fails closed without a permissions service: never the portal', async () => {
    expect((await decide(development, github, undefined)).applyBy).toBe(
      'pipeline',
    );
    await expect(decide(development, local, undefined)).rejects.toThrow(
      'needs a permission check, and no permissions service is configured',
    );
  });

  it('counts a conditional answer as no', async () => {
    const permissions = mockServices.permissions.mock();
    permissions.authorize.mockResolvedValue([
      { result: AuthorizeResult.CONDITIONAL } as any,
    ]);
    await expect(
      decideWhoApplies(development, github, {
        permissions,
        getInitiatorCredentials: async () => mockCredentials.user(),
        logger: { info: () => {} },
      }),
    ).resolves.toBe('pipeline');
  });
});
