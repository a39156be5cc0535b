import {
  BackstageUserPrincipal,
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  catalogLocationsExtensionPoint,
  catalogProcessingExtensionPoint,
} from '@backstage/plugin-catalog-node';

/**
 * The real auth service marks a token a plugin sends on behalf of a user
 * with that plugin as actor, and the permission backend answers resource
 * permissions without a resource ref (as the scaffolder asks them) only for
 * such requests. The mock auth service drops the actor; this puts it back.
 */
export const authWithActor = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }) {
    const auth = mockServices.auth({ pluginId: plugin.getId() });
    const issuePluginRequestToken = auth.getPluginRequestToken.bind(auth);
    auth.getPluginRequestToken = async options =>
      auth.isPrincipal(options.onBehalfOf, 'user')
        ? {
            token: mockCredentials.user.token(
              options.onBehalfOf.principal.userEntityRef,
              { actor: { subject: `plugin:${plugin.getId()}` } },
            ),
          }
        : issuePluginRequestToken(options);
    return auth;
  },
});

/** User info whose ownership refs are the user and the groups given for them. */
export function userInfoWithGroups(groupsOf: Record<string, string[]>) {
  return mockServices.userInfo.mock({
    async getUserInfo(credentials) {
      const { userEntityRef } = credentials.principal as BackstageUserPrincipal;
      return {
        userEntityRef,
        ownershipEntityRefs: [
          userEntityRef,
          ...(groupsOf[userEntityRef] ?? []),
        ],
      };
    },
  }).factory;
}

/**
 * Lets a test register `file` locations through the catalog API (the catalog
 * allows only `url` by default) and records what processing refused, by
 * entity ref.
 */
export function catalogTestHooks(refused: Map<string, string>) {
  return createBackendModule({
    pluginId: 'catalog',
    moduleId: 'test-hooks',
    register(env) {
      env.registerInit({
        deps: {
          locations: catalogLocationsExtensionPoint,
          processing: catalogProcessingExtensionPoint,
        },
        async init({ locations, processing }) {
          locations.setAllowedLocationTypes(['url', 'file']);
          processing.setOnProcessingErrorHandler(
            ({ unprocessedEntity, errors }) => {
              refused.set(
                stringifyEntityRef(unprocessedEntity),
                errors.map(e => `${e.message} ${e.cause ?? ''}`).join('; '),
              );
            },
          );
        },
      });
    },
  });
}

/** Polls `check` until it returns a value, or fails after `timeoutMs` with `describe()`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  describe: () => string,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`Timed out: ${describe()}`);
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}
