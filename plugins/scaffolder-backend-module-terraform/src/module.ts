import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createTerraformApplyAction } from './actions/apply';
import { createTerraformCheckAction } from './actions/check';
import { createFetchLocalGitAction } from './actions/fetchLocal';
import { createTerraformOutputAction } from './actions/output';
import { createTerraformPlanAction } from './actions/plan';
import { createPublishLocalGitAction } from './actions/publishLocal';
import { createResolveTargetAction } from './actions/resolveTarget';
import { createSetVariablesAction } from './actions/setVariables';
import { readTerraformConfig } from './terraform/config';
import { TerraformRunLimiter } from './terraform/runLimiter';
import { interruptRunningTerraform } from './terraform/runTerraform';

/**
 * Adds KLER's Terraform actions, the environment actions and the local git
 * actions to the scaffolder.
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
        catalog: catalogServiceRef,
        lifecycle: coreServices.lifecycle,
      },
      async init({
        scaffolderActions,
        config,
        permissions,
        catalog,
        lifecycle,
      }) {
        // Read once here so that a wrong kler.terraform key fails the start.
        const terraform = readTerraformConfig(config);
        const options = {
          config,
          permissions,
          catalog,
          awsCredentialsManager:
            DefaultAwsCredentialsManager.fromConfig(config),
          // One limit for the whole backend, shared by every action.
          limiter: new TerraformRunLimiter(terraform.maxConcurrentRuns),
        };
        // Terraform runs in process groups of its own: a backend that stops
        // (a rolling deploy) interrupts them so they save state and release
        // their locks, instead of leaving them running.
        lifecycle.addShutdownHook(() => interruptRunningTerraform());
        scaffolderActions.addActions(
          createResolveTargetAction(options),
          createSetVariablesAction(),
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
