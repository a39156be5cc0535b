import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  catalogEntityDeletePermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  isPermission,
  PermissionCondition,
  PermissionCriteria,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  createScaffolderActionConditionalDecision,
  createScaffolderTaskConditionalDecision,
  scaffolderActionConditions,
  scaffolderTaskConditions,
} from '@backstage/plugin-scaffolder-backend/alpha';
import {
  actionExecutePermission,
  RESOURCE_TYPE_SCAFFOLDER_ACTION,
  taskCancelPermission,
  taskReadPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import {
  environmentsProvisionPermission,
  environmentsProvisionProductionPermission,
} from '@kler/plugin-environments-common';
import { TERRAFORM_ACTION_IDS } from '@kler/plugin-scaffolder-backend-module-terraform';

/**
 * The groups (or users) named by `kler.permissions`, as entity refs matched
 * against the user's ownership entity refs.
 */
export interface KlerPermissionPolicyOptions {
  /** Permission names withheld from everyone. */
  denied: string[];
  /** May apply Terraform to production environments. */
  productionProvisioners: string[];
  /**
   * May run the `kler:terraform:*` scaffolder actions, and so have the portal
   * plan and apply for them (`environments.provision`).
   */
  terraformRunners: string[];
  /** May read and cancel everyone's tasks and delete any entity or location. */
  administrators: string[];
}

const PLATFORM_TEAM = 'group:default/platform-team';

// Non-empty by construction, as `anyOf` requires.
const [firstTerraformActionId, ...otherTerraformActionIds] =
  TERRAFORM_ACTION_IDS;
const isTerraformAction: PermissionCriteria<
  PermissionCondition<typeof RESOURCE_TYPE_SCAFFOLDER_ACTION>
> = {
  anyOf: [
    scaffolderActionConditions.hasActionId({
      actionId: firstTerraformActionId,
    }),
    ...otherTerraformActionIds.map(actionId =>
      scaffolderActionConditions.hasActionId({ actionId }),
    ),
  ],
};

function isMember(user: PolicyQueryUser | undefined, refs: string[]) {
  return (user?.info.ownershipEntityRefs ?? []).some(ref => refs.includes(ref));
}

function allowMembers(
  user: PolicyQueryUser | undefined,
  refs: string[],
): PolicyDecision {
  return {
    result: isMember(user, refs) ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
  };
}

/**
 * KLER's permission policy.
 *
 * Everyone signed in may read the catalog and the environments, register
 * components, run templates and create tasks. The rest, in the order the
 * policy decides it:
 *
 * - `kler.permissions.denied` withholds any permission from everyone, which is
 *   how an operator switches a capability off without a deploy.
 * - Applying Terraform to production is reserved to `productionProvisioners`.
 * - Running the `kler:terraform:*` scaffolder actions (`TERRAFORM_ACTION_IDS`),
 *   which hold AWS credentials, is reserved to `terraformRunners`; everyone
 *   else may run every other action. The scaffolder checks this per step, in
 *   dry-runs too. `environments.provision`, which templates ask (through
 *   `kler:environment:resolveTarget`) to decide whether the portal applies or
 *   a pull request's pipeline does, follows the same list, so that the portal
 *   applies for exactly those who may run the actions.
 * - A scaffolder task can be read, cancelled or retried by the user who
 *   created it and by `administrators`.
 * - A catalog entity can be deleted by its owners and by `administrators`; a
 *   catalog location only by `administrators`.
 *
 * Each list is of entity refs matched against the user's ownership entity
 * refs, and defaults to `group:default/platform-team`.
 */
export class KlerPermissionPolicy implements PermissionPolicy {
  static fromConfig(config: Config): KlerPermissionPolicy {
    const refs = (key: string) =>
      config.getOptionalStringArray(`kler.permissions.${key}`) ?? [
        PLATFORM_TEAM,
      ];
    return new KlerPermissionPolicy({
      denied: config.getOptionalStringArray('kler.permissions.denied') ?? [],
      productionProvisioners: refs('productionProvisioners'),
      terraformRunners: refs('terraformRunners'),
      administrators: refs('administrators'),
    });
  }

  constructor(private readonly options: KlerPermissionPolicyOptions) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    const { denied, productionProvisioners, terraformRunners, administrators } =
      this.options;

    if (denied.includes(permission.name)) {
      return { result: AuthorizeResult.DENY };
    }

    if (isPermission(permission, environmentsProvisionProductionPermission)) {
      return allowMembers(user, productionProvisioners);
    }

    if (isPermission(permission, environmentsProvisionPermission)) {
      return allowMembers(user, terraformRunners);
    }

    if (isPermission(permission, actionExecutePermission)) {
      if (isMember(user, terraformRunners)) {
        return { result: AuthorizeResult.ALLOW };
      }
      return createScaffolderActionConditionalDecision(permission, {
        not: isTerraformAction,
      });
    }

    if (
      isPermission(permission, taskReadPermission) ||
      isPermission(permission, taskCancelPermission)
    ) {
      if (!user?.info.userEntityRef) {
        return { result: AuthorizeResult.DENY };
      }
      if (isMember(user, administrators)) {
        return { result: AuthorizeResult.ALLOW };
      }
      return createScaffolderTaskConditionalDecision(
        permission,
        scaffolderTaskConditions.isTaskOwner({
          createdBy: [user.info.userEntityRef],
        }),
      );
    }

    if (isPermission(permission, catalogEntityDeletePermission)) {
      if (!user) {
        return { result: AuthorizeResult.DENY };
      }
      if (isMember(user, administrators)) {
        return { result: AuthorizeResult.ALLOW };
      }
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({
          claims: user.info.ownershipEntityRefs,
        }),
      );
    }

    if (isPermission(permission, catalogLocationDeletePermission)) {
      return allowMembers(user, administrators);
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
        policy.setPolicy(KlerPermissionPolicy.fromConfig(config));
      },
    });
  },
});
