import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createTerraformApplyAction } from './actions/apply';
import { createTerraformCheckAction } from './actions/check';
import { createFetchLocalGitAction } from './actions/fetchLocal';
import { createTerraformOutputAction } from './actions/output';
import { createTerraformPlanAction } from './actions/plan';
import { createProvisionSandboxAction } from './actions/provisionSandbox';
import { createPublishLocalGitAction } from './actions/publishLocal';
import { createResolveImageAction } from './actions/resolveImage';
import { createResolveTargetAction } from './actions/resolveTarget';
import { createSetVariablesAction } from './actions/setVariables';
import { createWritePipelineConfigAction } from './actions/writePipelineConfig';
import { readDriftConfig } from './drift/config';
import { DriftChecker } from './drift/DriftChecker';
import { readEnvironmentsRepository } from './provisioning/repository';
import { EnvironmentsRunRecorder } from './runs/recordRun';
import { readTerraformConfig } from './terraform/config';
import { TerraformRunLimiter } from './terraform/runLimiter';
import { interruptRunningTerraform } from './terraform/runTerraform';

/**
 * Adds KLER's Terraform actions, the environment actions (the local
 * sandbox's provisioning among them) and the local git actions to the
 * scaffolder; publishing announces each commit on the events service; plans,
 * applies and sandbox provisionings are recorded in the
 * environments' run history, and with `kler.terraform.drift.frequency` the
 * environments are checked for drift on that schedule.
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
        rootLifecycle: coreServices.rootLifecycle,
        logger: coreServices.logger,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        scheduler: coreServices.scheduler,
        events: eventsServiceRef,
      },
      async init({
        scaffolderActions,
        config,
        permissions,
        catalog,
        lifecycle,
        rootLifecycle,
        logger,
        auth,
        discovery,
        scheduler,
        events,
      }) {
        // Read once here so that a wrong kler.terraform or
        // kler.environments.repository key fails the start.
        const terraform = readTerraformConfig(config);
        const drift = readDriftConfig(config);
        readEnvironmentsRepository(config);
        const runRecorder = new EnvironmentsRunRecorder({ auth, discovery });
        const options = {
          config,
          permissions,
          catalog,
          awsCredentialsManager:
            DefaultAwsCredentialsManager.fromConfig(config),
          // One limit for the whole backend, shared by every action and the drift check.
          limiter: new TerraformRunLimiter(terraform.maxConcurrentRuns),
        };
        // Terraform runs in process groups of its own: a backend that stops
        // (a rolling deploy) interrupts them so they save state and release
        // their locks, instead of leaving them running.
        lifecycle.addShutdownHook(() => interruptRunningTerraform());
        scaffolderActions.addActions(
          createResolveTargetAction(options),
          createResolveImageAction({ auth, discovery }),
          createSetVariablesAction(),
          createWritePipelineConfigAction(options),
          createTerraformCheckAction(options),
          createTerraformPlanAction({ ...options, runRecorder }),
          createTerraformApplyAction({ ...options, runRecorder }),
          createTerraformOutputAction(options),
          createProvisionSandboxAction({ ...options, runRecorder }),
          createPublishLocalGitAction({ config, events }),
          createFetchLocalGitAction({ config }),
        );

        if (drift) {
          const checker = new DriftChecker({
            ...options,
            logger: logger.child({ task: 'kler-terraform-drift' }),
            auth,
            runRecorder,
          });
          // The check lists environments from the catalog, so it is
          // scheduled once every plugin is up: earlier, the catalog answers 503.
          rootLifecycle.addStartupHook(async () => {
            await scheduler.scheduleTask({
              id: 'kler-terraform-drift',
              frequency: drift.frequency,
              timeout: drift.timeout,
              // With several replicas on one database, one of them checks.
              scope: 'global',
              fn: async signal => {
                await checker.checkAll(signal);
              },
            });
          });
        }
      },
    });
  },
});
