import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { relative } from 'node:path';
import request from 'supertest';
import { catalogTestHooks } from '../__testUtils__/testBackend';
import catalogTrustedEnvironments, {
  TrustedEnvironmentLocationsProcessor,
} from './catalogTrustedEnvironments';

jest.setTimeout(60_000);

function environment(
  ref: { namespace: string; name: string },
  accountId: string,
  type = 'environment',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      ...ref,
      annotations: {
        'kler.io/aws-account-id': accountId,
        'kler.io/aws-region': 'eu-west-1',
        'kler.io/ecs-cluster': 'kler-production',
      },
    },
    spec: { type, owner: 'platform-team' },
  };
}

const component: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { namespace: 'evil', name: 'ledger' },
  spec: { type: 'service', owner: 'evil-team', lifecycle: 'production' },
};

/** JSON documents are YAML documents. */
const yamlOf = (...docs: object[]) =>
  docs.map(doc => JSON.stringify(doc)).join('\n---\n');

describe('TrustedEnvironmentLocationsProcessor', () => {
  const processor = new TrustedEnvironmentLocationsProcessor([
    'file:/srv/catalog/all.yaml',
    'url:https://github.com/kler/environments/*',
  ]);
  const emit = jest.fn();
  const production = environment(
    { namespace: 'default', name: 'production' },
    '222222222222',
  );
  const at = (ref: string) => {
    const [type, ...target] = ref.split(':');
    return { type, target: target.join(':') };
  };

  it('passes environments from trusted origins and everything else from anywhere', async () => {
    for (const origin of [
      'file:/srv/catalog/all.yaml',
      'url:https://github.com/kler/environments/blob/main/staging/catalog-info.yaml',
    ]) {
      await expect(
        processor.preProcessEntity(production, at(origin), emit, at(origin)),
      ).resolves.toBe(production);
    }
    const evil = at('file:/tmp/evil.yaml');
    await expect(
      processor.preProcessEntity(component, evil, emit, evil),
    ).resolves.toBe(component);
    await expect(
      processor.preProcessEntity(
        environment({ namespace: 'evil', name: 'db' }, '1', 'database'),
        evil,
        emit,
        evil,
      ),
    ).resolves.toBeDefined();
  });

  it('judges the origin location, not the file the entity was read from', async () => {
    await expect(
      processor.preProcessEntity(
        production,
        at('file:/srv/catalog/environments.yaml'),
        emit,
        at('file:/srv/catalog/all.yaml'),
      ),
    ).resolves.toBe(production);
    await expect(
      processor.preProcessEntity(
        production,
        at('file:/srv/catalog/all.yaml'),
        emit,
        at('url:https://github.com/kler/environments-evil/blob/main/x.yaml'),
      ),
    ).rejects.toThrow(InputError);
  });

  it('refuses an environment from an untrusted origin, naming the entity, the origin and the config key', async () => {
    const origin = at(
      'url:https://github.com/kler/environments/blob/main/../../../evil/x.yaml',
    );
    const refused = processor.preProcessEntity(
      environment({ namespace: 'evil', name: 'production' }, '666666666666'),
      origin,
      emit,
      origin,
    );
    await expect(refused).rejects.toThrow(InputError);
    await expect(refused).rejects.toThrow(
      'Environment resource:evil/production was refused: it comes from url:https://github.com/kler/environments/blob/main/../../../evil/x.yaml, which is not among the trusted locations of environment Resources (kler.environments.trustedLocations)',
    );
    // The catalog's own filter ignores case, so the check must too.
    await expect(
      processor.preProcessEntity(
        environment(
          { namespace: 'default', name: 'shadow' },
          '666666666666',
          'Environment',
        ),
        origin,
        emit,
        origin,
      ),
    ).rejects.toThrow('resource:default/shadow was refused');
  });
});

describe('catalogTrustedEnvironments with the real catalog', () => {
  const trustedDir = createMockDirectory();
  const attackerDir = createMockDirectory();

  it("serves the trusted production and the attacker's Component, never the attacker's environments", async () => {
    trustedDir.setContent({
      'all.yaml': yamlOf({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Location',
        metadata: { name: 'kler-catalog' },
        spec: { targets: ['./environments.yaml'] },
      }),
      'environments.yaml': yamlOf(
        environment(
          { namespace: 'default', name: 'production' },
          '222222222222',
        ),
      ),
    });
    attackerDir.setContent({
      'evil.yaml': yamlOf(
        environment({ namespace: 'evil', name: 'production' }, '666666666666'),
        environment(
          { namespace: 'default', name: 'production-copy' },
          '666666666666',
          'Environment',
        ),
        component,
      ),
    });
    // Relative to the working directory, as app-config.yaml writes it.
    const trustedFile = relative(process.cwd(), trustedDir.resolve('all.yaml'));
    const refused = new Map<string, string>();
    const { server } = await startTestBackend({
      features: [
        catalogPlugin,
        catalogTrustedEnvironments,
        catalogTestHooks(refused),
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              processingInterval: { seconds: 1 },
              rules: [{ allow: ['Component', 'Resource', 'Location'] }],
              locations: [{ type: 'file', target: trustedFile }],
            },
            kler: {
              environments: { trustedLocations: [`file:${trustedFile}`] },
            },
          },
        }),
      ],
    });
    const user = mockCredentials.user.header('user:default/mallory');

    const registered = await request(server)
      .post('/api/catalog/locations')
      .set('Authorization', user)
      .send({ type: 'file', target: attackerDir.resolve('evil.yaml') });
    expect(registered.status).toBe(201);

    const environments = async () => {
      const response = await request(server)
        .get('/api/catalog/entities')
        .query({ filter: 'kind=resource,spec.type=environment' })
        .set('Authorization', user);
      expect(response.status).toBe(200);
      return (response.body as Entity[]).map(e => stringifyEntityRef(e));
    };
    const attackerEnvironments = [
      'resource:evil/production',
      'resource:default/production-copy',
    ];
    const deadline = Date.now() + 45_000;
    for (;;) {
      const listed = await environments();
      // At no point may an attacker's environment be served.
      expect(listed).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/evil|copy/)]),
      );
      const ledger = await request(server)
        .get('/api/catalog/entities/by-name/component/evil/ledger')
        .set('Authorization', user);
      if (
        listed.includes('resource:default/production') &&
        ledger.status === 200 &&
        attackerEnvironments.every(ref => refused.has(ref))
      ) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `Catalog processing did not settle: listed ${listed}, ledger ${
            ledger.status
          }, refused ${[...refused.keys()]}`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, 250));
    }

    expect(await environments()).toEqual(['resource:default/production']);
    for (const ref of attackerEnvironments) {
      expect(refused.get(ref)).toContain(
        `Environment ${ref} was refused: it comes from file:${attackerDir.resolve(
          'evil.yaml',
        )}`,
      );
      const [kind, namespace, name] = ref.split(/[:/]/);
      const byName = await request(server)
        .get(`/api/catalog/entities/by-name/${kind}/${namespace}/${name}`)
        .set('Authorization', user);
      expect(byName.status).toBe(404);
    }
    const production = await request(server)
      .get('/api/catalog/entities/by-name/resource/default/production')
      .set('Authorization', user);
    expect(production.body.metadata.annotations['kler.io/aws-account-id']).toBe(
      '222222222222',
    );
  });

  it('fails to start on an invalid trusted location, naming the key', async () => {
    await expect(
      startTestBackend({
        features: [
          catalogPlugin,
          catalogTrustedEnvironments,
          mockServices.rootConfig.factory({
            data: {
              kler: { environments: { trustedLocations: ['catalog/*.yaml'] } },
            },
          }),
        ],
      }),
    ).rejects.toThrow(
      'Invalid config kler.environments.trustedLocations[0]: "catalog/*.yaml" has a * before its end',
    );
  });
});
