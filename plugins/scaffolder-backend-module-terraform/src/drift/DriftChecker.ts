import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { AwsCredentialsManager } from '@backstage/integration-aws-node';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  EnvironmentRunReport,
  EnvironmentRunSummary,
} from '@kler/plugin-environments-common';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  sessionOptions,
  TerraformActionsRuntime,
  terraformRuntimeOf,
} from '../actions/common';
import { runGit } from '../git/runGit';
import { ProvisioningTarget } from '../provisioning/targets';
import { RunRecorder, toRunSummary } from '../runs/recordRun';
import { validateBackendConfig } from '../terraform/inputs';
import { ActionMasker } from '../terraform/masking';
import { describePlan, summarizePlan } from '../terraform/planSummary';
import { checkTerraformPolicy } from '../terraform/policy';
import { TerraformRunLimiter } from '../terraform/runLimiter';
import {
  backendConfigArgs,
  lastErrorLines,
  TerraformSession,
} from '../terraform/session';
import { driftBackendConfig, readStateBackend } from './stateBackend';

/** Where environments live in the environments repository. */
const ENVIRONMENTS_DIRECTORY = 'environments';
const BRANCH = 'main';

const NO_CHANGES: EnvironmentRunSummary = {
  add: 0,
  change: 0,
  destroy: 0,
  replace: 0,
  byType: {},
  outputChanges: 0,
};

export interface DriftCheckerOptions {
  /** The root config: `kler.terraform.*`, `kler.environments.*`, `aws.*`. */
  config: Config;
  logger: LoggerService;
  auth: AuthService;
  catalog: CatalogService;
  runRecorder: RunRecorder;
  awsCredentialsManager?: AwsCredentialsManager;
  /** The backend's run limit, shared with the actions. */
  limiter: TerraformRunLimiter;
}

/** What one environment's check found, as recorded. */
export interface DriftCheckResult {
  environment: string;
  report: EnvironmentRunReport;
}

/**
 * Terraform's output goes to the backend's log at debug level: a plan prints
 * every resource, and the recorded run says what matters. Errors and
 * Terraform's warnings (stderr) keep their level.
 */
function terraformOutputLogger(logger: LoggerService): LoggerService {
  return {
    error: (message, meta) => logger.error(message, meta),
    warn: (message, meta) => logger.warn(message, meta),
    info: (message, meta) => logger.debug(message, meta),
    debug: (message, meta) => logger.debug(message, meta),
    child: meta => terraformOutputLogger(logger.child(meta)),
  };
}

/**
 * Checks environments for drift: for each environment of the catalog whose
 * code is in the environments repository (`environments/<name>/` on main of
 * `kler.environments.localRepository`) and whose account is in
 * `kler.terraform.accounts`, a read-only `terraform plan -detailed-exitcode
 * -lock=false` of that code with the account's credentials, through the same
 * machinery as the actions (content policy, Terraform's own CLI config, home
 * and data directory, the run limit, masking). Each check is recorded as a
 * `drift` run: no drift, drift with what differs, or failed.
 */
export class DriftChecker {
  private readonly runtime: TerraformActionsRuntime;

  constructor(private readonly options: DriftCheckerOptions) {
    this.runtime = terraformRuntimeOf({
      config: options.config,
      catalog: options.catalog,
      awsCredentialsManager: options.awsCredentialsManager,
      limiter: options.limiter,
    });
  }

  /** Checks every environment, one after the other; one failing never stops the others. */
  async checkAll(signal?: AbortSignal): Promise<DriftCheckResult[]> {
    const { logger } = this.options;
    const repository = this.options.config.getOptionalString(
      'kler.environments.localRepository',
    );
    if (!repository) {
      logger.warn(
        'Drift check skipped: kler.environments.localRepository is not configured, so there is no code to compare with',
      );
      return [];
    }
    const entities = await this.listEnvironments();
    const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-drift-'));
    try {
      const checkout = path.join(scratch, 'repository');
      await runGit(
        [
          'clone',
          '--depth',
          '1',
          '--branch',
          BRANCH,
          '--',
          path.resolve(repository),
          checkout,
        ],
        { cwd: scratch, logger: logger.child({ task: 'git' }), signal },
      );
      const results: DriftCheckResult[] = [];
      for (const entity of entities) {
        if (signal?.aborted) break;
        const result = await this.checkEntity(
          entity,
          checkout,
          scratch,
          signal,
        );
        if (result) results.push(result);
      }
      return results;
    } finally {
      await fs.rm(scratch, { recursive: true, force: true });
    }
  }

  private async listEnvironments(): Promise<Entity[]> {
    const { items } = await this.options.catalog.getEntities(
      {
        filter: { kind: 'Resource', 'spec.type': 'environment' },
        fields: ['kind', 'metadata', 'spec'],
      },
      { credentials: await this.options.auth.getOwnServiceCredentials() },
    );
    return items;
  }

  /** Checks one environment and records the run; undefined when it is not checked at all. */
  private async checkEntity(
    entity: Entity,
    checkout: string,
    scratch: string,
    signal?: AbortSignal,
  ): Promise<DriftCheckResult | undefined> {
    const { logger, auth } = this.options;
    const name = entity.metadata.name;
    const workingDirectory = path.join(checkout, ENVIRONMENTS_DIRECTORY, name);
    const stat = await fs.stat(workingDirectory).catch(() => undefined);
    if (!stat?.isDirectory()) {
      logger.debug(
        `Drift check of ${name} skipped: ${ENVIRONMENTS_DIRECTORY}/${name} is not in the environments repository`,
      );
      return undefined;
    }
    let target: ProvisioningTarget;
    try {
      // Trusted location, account in kler.terraform.accounts, tier as configured.
      target = await this.runtime.targets.resolve(
        { environment: stringifyEntityRef(entity) },
        () => auth.getOwnServiceCredentials(),
      );
    } catch (error) {
      logger.info(
        `Drift check of ${name} skipped: ${(error as Error).message}`,
      );
      return undefined;
    }

    const report = await this.check(
      name,
      workingDirectory,
      target,
      path.join(scratch, `terraform-${name}`),
      signal,
    );
    logger.info(
      `Drift check of ${name}: ${report.outcome}${
        report.message ? `: ${report.message}` : ''
      }`,
    );
    try {
      await this.options.runRecorder.record(name, report);
    } catch (error) {
      logger.warn(
        `Could not record the drift check of ${name} in its history: ${error}`,
      );
    }
    return { environment: name, report };
  }

  /** Plans one environment's code read-only and says what it found. */
  private async check(
    name: string,
    workingDirectory: string,
    target: ProvisioningTarget,
    runDirectory: string,
    signal?: AbortSignal,
  ): Promise<EnvironmentRunReport> {
    const masker = new ActionMasker([]);
    const report = (
      outcome: EnvironmentRunReport['outcome'],
      message: string,
      summary?: EnvironmentRunSummary,
    ): EnvironmentRunReport => ({
      kind: 'drift',
      source: 'schedule',
      outcome,
      at: new Date().toISOString(),
      message: masker.mask(message).slice(0, 1000),
      ...(summary ? { summary } : {}),
    });
    try {
      await checkTerraformPolicy(workingDirectory, this.runtime.config.policy);
      const backend = driftBackendConfig(
        name,
        await readStateBackend(workingDirectory),
        this.runtime.config.backendConfig,
      );
      if ('skipReason' in backend) {
        return report('skipped', backend.skipReason);
      }
      const settings = validateBackendConfig(backend.settings);
      const planFile = path.join(runDirectory, 'drift.tfplan');
      await fs.mkdir(runDirectory, { recursive: true, mode: 0o700 });
      return await TerraformSession.use(
        sessionOptions(this.runtime, {
          logger: terraformOutputLogger(
            this.options.logger.child({ environment: name }),
          ),
          masker,
          signal,
          workingDirectory,
          dataDirectory: path.join(runDirectory, 'data'),
          download: true,
          target,
        }),
        async session => {
          const init = await session.run([
            'init',
            '-input=false',
            '-no-color',
            ...backendConfigArgs(settings),
          ]);
          if (init.exitCode !== 0) {
            return report(
              'failed',
              `terraform init failed: ${lastErrorLines(init.stderr)}`,
            );
          }
          const plan = await session.run([
            'plan',
            '-detailed-exitcode',
            '-lock=false',
            '-input=false',
            '-no-color',
            `-out=${planFile}`,
          ]);
          if (plan.exitCode === 0) {
            return report(
              'succeeded',
              'No drift: the resources are as the code says',
              NO_CHANGES,
            );
          }
          if (plan.exitCode !== 2) {
            return report(
              'failed',
              `terraform plan failed (exit code ${
                plan.exitCode
              }): ${lastErrorLines(plan.stderr)}`,
            );
          }
          const shown = await session.runOrThrow(
            ['show', '-json', '-no-color', planFile],
            { logStdout: false },
          );
          const summary = summarizePlan(JSON.parse(shown.stdout));
          return report(
            'succeeded',
            `Drift: ${describePlan(summary)}`,
            toRunSummary(summary),
          );
        },
      );
    } catch (error) {
      return report('failed', (error as Error).message ?? String(error));
    }
  }
}
