import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { environmentsProvisionProductionPermission } from '@kler/plugin-environments-common';

/**
 * KLER's permission policy.
 *
 * Everyone signed in may read the catalog, the environments and run templates.
 * Applying Terraform to production is reserved to the members of the groups in
 * `kler.permissions.productionProvisioners` (by default the platform team), and
 * `kler.permissions.denied` can withhold any permission from everyone, which is
 * how an operator switches a capability off without a deploy.
 */
export class KlerPermissionPolicy implements PermissionPolicy {
  constructor(
    private readonly options: {
      productionProvisioners: string[];
      denied: string[];
    },
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const name = request.permission.name;
    if (this.options.denied.includes(name)) {
      return { result: AuthorizeResult.DENY };
    }
    if (name === environmentsProvisionProductionPermission.name) {
      const ownership = user?.info.ownershipEntityRefs ?? [];
      const allowed = ownership.some(ref =>
        this.options.productionProvisioners.includes(ref),
      );
      return { result: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'kler-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        policy.setPolicy(
          new KlerPermissionPolicy({
            productionProvisioners: config.getOptionalStringArray(
              'kler.permissions.productionProvisioners',
            ) ?? ['group:default/platform-team'],
            denied:
              config.getOptionalStringArray('kler.permissions.denied') ?? [],
          }),
        );
      },
    });
  },
});
