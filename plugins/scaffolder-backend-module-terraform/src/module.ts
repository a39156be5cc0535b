import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createTerraformCheckAction } from './actions/check';
import { createTerraformPlanAction } from './actions/plan';

/**
 * Adds KLER's Terraform actions to the scaffolder.
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
      },
      async init({ scaffolderActions, config }) {
        const options = {
          config,
          awsCredentialsManager:
            DefaultAwsCredentialsManager.fromConfig(config),
        };
        scaffolderActions.addActions(
          createTerraformCheckAction(options),
          createTerraformPlanAction(options),
        );
      },
    });
  },
});
