import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { environmentEntity } from '../../__testUtils__/fixtures';
import { EnvironmentOverride } from '../../config';
import { EnvironmentRegistry, mergeEnvironments } from './EnvironmentRegistry';

describe('mergeEnvironments', () => {
  it('reads catalog environments and applies config overrides', () => {
    const overrides: EnvironmentOverride[] = [
      {
        name: 'development',
        endpoint: 'http://127.0.0.1:4566',
        region: 'eu-central-1',
        configKey: 'environments.environments[0]',
      },
    ];
    const entries = mergeEnvironments(
      [environmentEntity('production'), environmentEntity('development')],
      overrides,
    );
    expect(entries.map(e => e.name)).toEqual(['development', 'production']);
    expect(entries[0].environment).toEqual({
      name: 'development',
      title: 'Development',
      tier: 'development',
      accountId: '111111111111',
      region: 'eu-central-1',
      cluster: 'kler-development',
      backupVault: 'kler-development',
      entityRef: 'resource:default/development',
      endpoint: 'http://127.0.0.1:4566',
    });
    expect(entries[1].environment?.endpoint).toBeUndefined();
  });

  it('turns a bad annotation into an entry with an error naming it', () => {
    const [entry] = mergeEnvironments(
      [environmentEntity('staging', { 'kler.io/aws-region': 'Europe' })],
      [],
    );
    expect(entry.environment).toBeUndefined();
    expect(entry.definitionError).toEqual({
      name: 'InvalidEnvironmentDefinition',
      message: expect.stringContaining('kler.io/aws-region'),
    });
  });

  it('adds config-only environments and names the missing fields of incomplete ones', () => {
    const entries = mergeEnvironments(
      [],
      [
        {
          name: 'lab',
          accountId: '333333333333',
          region: 'eu-west-1',
          cluster: 'kler-lab',
          configKey: 'environments.environments[0]',
        },
        {
          name: 'half',
          accountId: '333333333333',
          configKey: 'environments.environments[1]',
        },
      ],
    );
    expect(entries.find(e => e.name === 'lab')?.environment).toEqual({
      name: 'lab',
      tier: 'development',
      accountId: '333333333333',
      region: 'eu-west-1',
      cluster: 'kler-lab',
    });
    expect(entries.find(e => e.name === 'half')?.definitionError?.message).toBe(
      'Environment half is not in the catalog (yet) and environments.environments[1] lacks region, cluster',
    );
  });
});

describe('mergeEnvironments with a default endpoint', () => {
  it('gives it to every environment without an endpoint of its own', () => {
    const sandbox = 'http://127.0.0.1:4566';
    const entries = mergeEnvironments(
      [
        environmentEntity('production'),
        environmentEntity('staging'),
        environmentEntity('broken', { 'kler.io/aws-region': 'Europe' }),
      ],
      [
        {
          name: 'production',
          endpoint: 'http://127.0.0.1:4599',
          configKey: 'environments.environments[0]',
        },
        {
          name: 'lab',
          accountId: '333333333333',
          region: 'eu-west-1',
          cluster: 'kler-lab',
          configKey: 'environments.environments[1]',
        },
      ],
      sandbox,
    );
    expect(
      Object.fromEntries(
        entries.map(entry => [entry.name, entry.environment?.endpoint]),
      ),
    ).toEqual({
      broken: undefined,
      lab: sandbox,
      // Its own endpoint wins.
      production: 'http://127.0.0.1:4599',
      // Registered after the config was written: read from the sandbox too.
      staging: sandbox,
    });
  });
});

describe('mergeEnvironments with a name claimed twice', () => {
  function inNamespace(namespace: string, entity: Entity): Entity {
    return { ...entity, metadata: { ...entity.metadata, namespace } };
  }
  const impostor = inNamespace(
    'evil',
    environmentEntity('production', {
      'kler.io/aws-account-id': '666666666666',
    }),
  );

  it('yields one entry with an error naming every claimant and nothing to read from AWS', () => {
    const entries = mergeEnvironments(
      [
        environmentEntity('production'),
        environmentEntity('development'),
        impostor,
      ],
      [
        {
          name: 'production',
          accountId: '222222222222',
          region: 'eu-west-1',
          cluster: 'kler-production',
          endpoint: 'http://127.0.0.1:4566',
          configKey: 'environments.environments[0]',
        },
      ],
    );
    expect(entries.map(e => e.name)).toEqual(['development', 'production']);
    expect(entries[0].environment?.accountId).toBe('111111111111');
    expect(entries[1]).toEqual({
      name: 'production',
      definitionError: {
        name: 'DuplicateEnvironment',
        message:
          "Environment production is claimed by 2 catalog entities: resource:default/production, resource:evil/production. An environment's name must be unique across namespaces: rename or remove all but one. It is not read from AWS until then.",
      },
      version: expect.any(String),
    });
  });

  it('takes names that differ only in case for the same name, as the catalog does', () => {
    const entries = mergeEnvironments(
      [
        environmentEntity('production'),
        inNamespace('evil', environmentEntity('Production')),
      ],
      [],
    );
    expect(entries.map(e => [e.name, e.definitionError?.name])).toEqual([
      ['production', 'DuplicateEnvironment'],
      ['Production', 'DuplicateEnvironment'],
    ]);
    expect(entries.every(e => !e.environment && !e.entityRef)).toBe(true);
  });

  it('keeps the environment once the impostor is gone', () => {
    const [entry] = mergeEnvironments([environmentEntity('production')], []);
    expect(entry.entityRef).toBe('resource:default/production');
    expect(entry.environment?.accountId).toBe('222222222222');
  });
});

describe('EnvironmentRegistry', () => {
  const component: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'shop-api' },
    spec: { type: 'service' },
  };

  function createRegistry(entities: Entity[], now: () => number) {
    const catalog = catalogServiceMock({ entities });
    const getEntities = jest.spyOn(catalog, 'getEntities');
    const registry = new EnvironmentRegistry({
      catalog,
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      overrides: [],
      maxAgeMs: 60_000,
      now,
    });
    return { registry, getEntities, entities };
  }

  it('lists only environment Resources, with service credentials', async () => {
    const { registry, getEntities } = createRegistry(
      [environmentEntity('production'), component],
      () => 0,
    );
    const entries = await registry.list();
    expect(entries.map(e => e.name)).toEqual(['production']);
    expect(getEntities).toHaveBeenCalledWith(
      { filter: { kind: 'Resource', 'spec.type': 'environment' } },
      {
        credentials: expect.objectContaining({
          principal: expect.objectContaining({ type: 'service' }),
        }),
      },
    );
  });

  it('picks up an environment registered later once the listing is older than maxAge, or when asked for it', async () => {
    let now = 0;
    const entities = [environmentEntity('production')];
    const { registry, getEntities } = createRegistry(entities, () => now);
    expect((await registry.list()).map(e => e.name)).toEqual(['production']);

    entities.push(environmentEntity('development'));
    getEntities.mockResolvedValueOnce({ items: [...entities] });
    expect(await registry.get('development')).toMatchObject({
      name: 'development',
    });

    entities.push(environmentEntity('qa'));
    getEntities.mockResolvedValueOnce({ items: [...entities] });
    now = 30_000;
    expect((await registry.list()).map(e => e.name)).toEqual([
      'development',
      'production',
    ]);
    now = 61_000;
    expect((await registry.list()).map(e => e.name)).toEqual([
      'development',
      'production',
      'qa',
    ]);
  });

  it('keeps the previous list when the catalog cannot be reached', async () => {
    const { registry, getEntities } = createRegistry(
      [environmentEntity('production')],
      () => 0,
    );
    await registry.list();
    getEntities.mockRejectedValueOnce(new Error('catalog down'));
    expect((await registry.list({ fresh: true })).map(e => e.name)).toEqual([
      'production',
    ]);
  });
});
