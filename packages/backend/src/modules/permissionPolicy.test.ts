import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogLocationCreatePermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionPlugin from '@backstage/plugin-permission-backend';
import {
  AuthorizeResult,
  Permission,
} from '@backstage/plugin-permission-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  actionExecutePermission,
  taskCancelPermission,
  taskCreatePermission,
  taskReadPermission,
  templateDryRunPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import {
  createTemplateAction,
  scaffolderActionsExtensionPoint,
} from '@backstage/plugin-scaffolder-node';
import {
  environmentsProvisionPermission,
  environmentsProvisionProductionPermission,
  environmentsReadPermission,
} from '@kler/plugin-environments-common';
import { TERRAFORM_ACTION_IDS } from '@kler/plugin-scaffolder-backend-module-terraform';
import request from 'supertest';
import {
  authWithActor,
  userInfoWithGroups,
} from '../__testUtils__/testBackend';
import klerPermissionPolicyModule, {
  KlerPermissionPolicy,
} from './permissionPolicy';

jest.setTimeout(30_000);

const PLATFORM_TEAM = 'group:default/platform-team';
const WEB_TEAM = 'group:default/web-team';

function user(userEntityRef: string, groups: string[] = []): PolicyQueryUser {
  return {
    credentials: mockCredentials.user(userEntityRef),
    info: { userEntityRef, ownershipEntityRefs: [userEntityRef, ...groups] },
  };
}

const platformEngineer = user('user:default/ada', [PLATFORM_TEAM]);
const webDeveloper = user('user:default/alice', [WEB_TEAM]);

async function decide(
  permission: Permission,
  who?: PolicyQueryUser,
  permissions: Record<string, string[]> = {},
) {
  return KlerPermissionPolicy.fromConfig(
    new ConfigReader({ kler: { permissions } }),
  ).handle({ permission }, who);
}

const ALLOW = { result: AuthorizeResult.ALLOW };
const DENY = { result: AuthorizeResult.DENY };

describe('KlerPermissionPolicy', () => {
  describe('denied', () => {
    it('withholds a permission from everyone, administrators included', async () => {
      const denied = {
        denied: ['scaffolder.task.read', 'catalog.entity.read'],
      };
      expect(
        await decide(taskReadPermission, platformEngineer, denied),
      ).toEqual(DENY);
      expect(
        await decide(catalogEntityReadPermission, webDeveloper, denied),
      ).toEqual(DENY);
      expect(
        await decide(environmentsReadPermission, webDeveloper, denied),
      ).toEqual(ALLOW);
    });

    it('comes before the Terraform rule', async () => {
      expect(
        await decide(actionExecutePermission, platformEngineer, {
          denied: ['scaffolder.action.execute'],
        }),
      ).toEqual(DENY);
    });
  });

  describe('environments.provision.production', () => {
    it('allows the platform team by default and denies everyone else', async () => {
      expect(
        await decide(
          environmentsProvisionProductionPermission,
          platformEngineer,
        ),
      ).toEqual(ALLOW);
      expect(
        await decide(environmentsProvisionProductionPermission, webDeveloper),
      ).toEqual(DENY);
      expect(await decide(environmentsProvisionProductionPermission)).toEqual(
        DENY,
      );
    });

    it('follows productionProvisioners', async () => {
      const configured = { productionProvisioners: [WEB_TEAM] };
      expect(
        await decide(
          environmentsProvisionProductionPermission,
          webDeveloper,
          configured,
        ),
      ).toEqual(ALLOW);
      expect(
        await decide(
          environmentsProvisionProductionPermission,
          platformEngineer,
          configured,
        ),
      ).toEqual(DENY);
    });
  });

  describe('environments.provision', () => {
    it('allows the platform team by default and denies everyone else', async () => {
      expect(
        await decide(environmentsProvisionPermission, platformEngineer),
      ).toEqual(ALLOW);
      expect(
        await decide(environmentsProvisionPermission, webDeveloper),
      ).toEqual(DENY);
      expect(await decide(environmentsProvisionPermission)).toEqual(DENY);
    });

    it('follows terraformRunners, not productionProvisioners', async () => {
      const runners = { terraformRunners: [WEB_TEAM] };
      expect(
        await decide(environmentsProvisionPermission, webDeveloper, runners),
      ).toEqual(ALLOW);
      expect(
        await decide(
          environmentsProvisionPermission,
          platformEngineer,
          runners,
        ),
      ).toEqual(DENY);
      expect(
        await decide(environmentsProvisionPermission, webDeveloper, {
          productionProvisioners: [WEB_TEAM],
        }),
      ).toEqual(DENY);
    });

    it('can be withheld from everyone with denied', async () => {
      expect(
        await decide(environmentsProvisionPermission, platformEngineer, {
          denied: ['environments.provision'],
        }),
      ).toEqual(DENY);
      expect(
        await decide(
          environmentsProvisionProductionPermission,
          platformEngineer,
          { denied: ['environments.provision'] },
        ),
      ).toEqual(ALLOW);
    });
  });

  describe('scaffolder.action.execute', () => {
    const everyActionButTerraform = {
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'scaffolder',
      resourceType: 'scaffolder-action',
      conditions: {
        not: {
          anyOf: TERRAFORM_ACTION_IDS.map(actionId => ({
            rule: 'HAS_ACTION_ID',
            resourceType: 'scaffolder-action',
            params: { actionId },
          })),
        },
      },
    };

    it('allows every action to the platform team by default', async () => {
      expect(await decide(actionExecutePermission, platformEngineer)).toEqual(
        ALLOW,
      );
    });

    it('allows everyone else every action but the Terraform ones', async () => {
      const decision = await decide(actionExecutePermission, webDeveloper);
      expect(decision).toEqual(everyActionButTerraform);
      expect(JSON.stringify(decision)).toContain('"kler:terraform:apply"');
      expect(await decide(actionExecutePermission)).toEqual(
        everyActionButTerraform,
      );
    });

    it('follows terraformRunners', async () => {
      const configured = { terraformRunners: ['user:default/alice'] };
      expect(
        await decide(actionExecutePermission, webDeveloper, configured),
      ).toEqual(ALLOW);
      expect(
        await decide(actionExecutePermission, platformEngineer, configured),
      ).toEqual(everyActionButTerraform);
    });
  });

  describe.each([taskReadPermission, taskCancelPermission])(
    '$name',
    permission => {
      it('allows the platform team every task by default', async () => {
        expect(await decide(permission, platformEngineer)).toEqual(ALLOW);
      });

      it('allows everyone else only the tasks they created', async () => {
        expect(await decide(permission, webDeveloper)).toEqual({
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'scaffolder',
          resourceType: 'scaffolder-task',
          conditions: {
            rule: 'IS_TASK_OWNER',
            resourceType: 'scaffolder-task',
            params: { createdBy: ['user:default/alice'] },
          },
        });
      });

      it('denies a request without a user', async () => {
        expect(await decide(permission)).toEqual(DENY);
      });

      it('follows administrators', async () => {
        const configured = { administrators: [WEB_TEAM] };
        expect(await decide(permission, webDeveloper, configured)).toEqual(
          ALLOW,
        );
        expect(
          await decide(permission, platformEngineer, configured),
        ).toMatchObject({ result: AuthorizeResult.CONDITIONAL });
      });
    },
  );

  describe('catalog.entity.delete', () => {
    it('allows the platform team any entity by default', async () => {
      expect(
        await decide(catalogEntityDeletePermission, platformEngineer),
      ).toEqual(ALLOW);
    });

    it('allows everyone else the entities they or their groups own', async () => {
      expect(await decide(catalogEntityDeletePermission, webDeveloper)).toEqual(
        {
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'catalog',
          resourceType: 'catalog-entity',
          conditions: {
            rule: 'IS_ENTITY_OWNER',
            resourceType: 'catalog-entity',
            params: { claims: ['user:default/alice', WEB_TEAM] },
          },
        },
      );
    });

    it('denies a request without a user', async () => {
      expect(await decide(catalogEntityDeletePermission)).toEqual(DENY);
    });

    it('follows administrators', async () => {
      expect(
        await decide(catalogEntityDeletePermission, webDeveloper, {
          administrators: [WEB_TEAM],
        }),
      ).toEqual(ALLOW);
    });
  });

  describe('catalog.location.delete', () => {
    it('allows only administrators, by default the platform team', async () => {
      expect(
        await decide(catalogLocationDeletePermission, platformEngineer),
      ).toEqual(ALLOW);
      expect(
        await decide(catalogLocationDeletePermission, webDeveloper),
      ).toEqual(DENY);
      const configured = { administrators: [WEB_TEAM] };
      expect(
        await decide(catalogLocationDeletePermission, webDeveloper, configured),
      ).toEqual(ALLOW);
      expect(
        await decide(
          catalogLocationDeletePermission,
          platformEngineer,
          configured,
        ),
      ).toEqual(DENY);
    });
  });

  it('allows everything else to everyone signed in', async () => {
    for (const permission of [
      catalogEntityReadPermission,
      catalogLocationCreatePermission,
      taskCreatePermission,
      templateDryRunPermission,
      environmentsReadPermission,
    ]) {
      expect(await decide(permission, webDeveloper)).toEqual(ALLOW);
    }
  });
});

describe('KlerPermissionPolicy on the real scaffolder and permission backends', () => {
  const ADA = 'user:default/ada'; // platform team: Terraform runner, administrator
  const ALICE = 'user:default/alice';
  const BOB = 'user:default/bob';
  const groupsOf: Record<string, string[]> = {
    [ADA]: [PLATFORM_TEAM],
    [ALICE]: [WEB_TEAM],
    [BOB]: [WEB_TEAM],
  };

  const planRuns: string[] = [];
  const fakeTerraformPlan = createBackendModule({
    pluginId: 'scaffolder',
    moduleId: 'fake-terraform-plan',
    register(reg) {
      reg.registerInit({
        deps: { scaffolder: scaffolderActionsExtensionPoint },
        async init({ scaffolder }) {
          scaffolder.addActions(
            createTemplateAction({
              id: 'kler:terraform:plan',
              supportsDryRun: true,
              async handler(ctx) {
                planRuns.push(ctx.user?.ref ?? 'nobody');
              },
            }),
          );
        },
      });
    },
  });

  const waitTemplate = {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: { name: 'wait', namespace: 'default' },
    spec: {
      type: 'service',
      steps: [
        {
          id: 'wait',
          name: 'Wait to be cancelled',
          action: 'debug:wait',
          input: { minutes: 5 },
        },
      ],
    },
  };

  let server: Parameters<typeof request>[0];

  beforeAll(async () => {
    ({ server } = await startTestBackend({
      features: [
        scaffolderPlugin,
        fakeTerraformPlan,
        permissionPlugin,
        klerPermissionPolicyModule,
        catalogServiceMock.factory({ entities: [waitTemplate] }),
        userInfoWithGroups(groupsOf),
        authWithActor,
        mockServices.rootConfig.factory({
          data: { permission: { enabled: true } },
        }),
      ],
    }));
  });

  beforeEach(() => {
    planRuns.length = 0;
  });

  describe('dry-run', () => {
    const logStep = {
      id: 'log',
      name: 'Log',
      action: 'debug:log',
      input: { message: 'hello from debug:log' },
    };
    const planStep = {
      id: 'plan',
      name: 'Plan',
      action: 'kler:terraform:plan',
    };

    function dryRun(as: string, steps: object[]) {
      return request(server)
        .post('/api/scaffolder/v2/dry-run')
        .set('Authorization', mockCredentials.user.header(as))
        .send({
          template: {
            apiVersion: 'scaffolder.backstage.io/v1beta3',
            kind: 'Template',
            metadata: { name: 'inline' },
            spec: { type: 'service', steps },
          },
          values: {},
          secrets: {},
          directoryContents: [],
        });
    }

    it('refuses a Terraform step to a non-runner and never runs it', async () => {
      const response = await dryRun(ALICE, [logStep, planStep]);

      expect(response.status).toBe(403);
      expect(response.body.error).toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining(
          'Unauthorized action: kler:terraform:plan',
        ),
      });
      expect(planRuns).toEqual([]);
    });

    it('runs the other steps for a non-runner', async () => {
      const response = await dryRun(ALICE, [logStep]);

      expect(response.status).toBe(200);
      const messages = response.body.log.map(
        (entry: { body: { message: string } }) => entry.body.message,
      );
      expect(messages).toContainEqual(
        expect.stringContaining('hello from debug:log'),
      );
    });

    it('runs the Terraform step for a runner', async () => {
      const response = await dryRun(ADA, [logStep, planStep]);

      expect(response.status).toBe(200);
      expect(planRuns).toEqual([ADA]);
    });
  });

  describe("someone else's task", () => {
    function asUser(as: string) {
      const authorization = mockCredentials.user.header(as);
      const send = (test: request.Test) =>
        test.set('Authorization', authorization);
      const tasks = '/api/scaffolder/v2/tasks';
      return {
        create: () =>
          send(request(server).post(tasks)).send({
            templateRef: 'template:default/wait',
            values: {},
          }),
        list: () => send(request(server).get(tasks)),
        get: (id: string) => send(request(server).get(`${tasks}/${id}`)),
        events: (id: string) =>
          send(request(server).get(`${tasks}/${id}/events`)),
        cancel: (id: string) =>
          send(request(server).post(`${tasks}/${id}/cancel`)),
      };
    }
    const ada = asUser(ADA);
    const alice = asUser(ALICE);
    const bob = asUser(BOB);

    async function createdByBob() {
      const created = await bob.create();
      expect(created.status).toBe(201);
      return created.body.id as string;
    }

    async function eventTypes(id: string): Promise<string[]> {
      const events = await ada.events(id);
      expect(events.status).toBe(200);
      return events.body.map((event: { type: string }) => event.type);
    }

    async function waitWhile(id: string, status: string) {
      while ((await ada.get(id)).body.status === status) {
        await new Promise(resolve => setTimeout(resolve, 100));
      }
    }

    // The scaffolder records a cancellation as a `cancelled` event, aborts the
    // running step, and then ends the task as failed.
    async function expectCancelled(id: string) {
      await waitWhile(id, 'processing');
      expect(await eventTypes(id)).toContain('cancelled');
    }

    it('is hidden from another user and shown to its creator and administrators', async () => {
      const id = await createdByBob();

      expect((await alice.get(id)).status).toBe(403);
      expect((await alice.events(id)).status).toBe(403);
      expect((await alice.list()).body.tasks).toEqual([]);

      const own = await bob.get(id);
      expect(own.status).toBe(200);
      expect(own.body.createdBy).toBe(BOB);
      expect((await ada.get(id)).status).toBe(200);

      expect((await bob.cancel(id)).status).toBe(200);
      await expectCancelled(id);
    });

    it('cannot be cancelled by another user, only by its creator or an administrator', async () => {
      const id = await createdByBob();
      await waitWhile(id, 'open');

      expect((await alice.cancel(id)).status).toBe(403);
      expect(await eventTypes(id)).not.toContain('cancelled');
      expect((await bob.get(id)).body.status).toBe('processing');

      expect((await ada.cancel(id)).status).toBe(200);
      await expectCancelled(id);
    });
  });
});
