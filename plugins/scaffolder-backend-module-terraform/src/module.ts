import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createTerraformApplyAction } from './actions/apply';
import { createTerraformCheckAction } from './actions/check';
import { createTerraformOutputAction } from './actions/output';
import { createTerraformPlanAction } from './actions/plan';
import { createPublishLocalGitAction } from './actions/publishLocal';
import { createFetchLocalGitAction } from './actions/fetchLocal';

/**
 * Adds KLER's Terraform actions and the local git actions to the scaffolder.
 *
 * @public
 */
export const scaffolderModuleTerraform = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'terraform',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolderActions: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        permissions: coreServices.permissions,
      },
      async init({ scaffolderActions, config, permissions }) {
        const options = {
          config,
          permissions,
          awsCredentialsManager:
            DefaultAwsCredentialsManager.fromConfig(config),
        };
        scaffolderActions.addActions(
          createTerraformCheckAction(options),
          createTerraformPlanAction(options),
          createTerraformApplyAction(options),
          createTerraformOutputAction(options),
          createPublishLocalGitAction({ config }),
          createFetchLocalGitAction({ config }),
        );
      },
    });
  },
});
