import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { TemplateActionOptions } from '@backstage/plugin-scaffolder-node';
import {
  EnvironmentRunKind,
  EnvironmentRunReport,
  EnvironmentRunSummary,
} from '@kler/plugin-environments-common';
import { ProvisioningTarget } from '../provisioning/targets';
import { describePlan, PlanSummary } from '../terraform/planSummary';

/** Records a run in an environment's history. */
export interface RunRecorder {
  record(environmentName: string, report: EnvironmentRunReport): Promise<void>;
}

/** What the actions that record their runs take besides their usual options. */
export interface RunRecordingOptions {
  /** Where runs are recorded; nothing is recorded without one. */
  runRecorder?: RunRecorder;
}

/** The zod the scaffolder hands to `schema.input` builders. */
type Zod = Parameters<
  NonNullable<NonNullable<TemplateActionOptions['schema']>['input']>[string]
>[0];

/** The `environmentName` input of plan and apply. */
export const environmentNameInput = (z: Zod) =>
  z
    .string({
      description:
        "The environment's name, for its run history, when the target is not an environment of the catalog (a new environment); the target's catalog entity wins when there is one",
    })
    .optional();

/** How long recording may take before the action goes on without it. */
const RECORD_TIMEOUT_MS = 10_000;
/** The environments backend takes messages up to 2,000 characters. */
const MAX_MESSAGE_LENGTH = 1_000;
const ENTITY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

/**
 * Records runs through the environments backend
 * (`POST /api/environments/v1/environments/:name/runs`), with this plugin's
 * own service credentials: the backend takes reports from services only.
 */
export class EnvironmentsRunRecorder implements RunRecorder {
  constructor(
    private readonly options: {
      auth: AuthService;
      discovery: DiscoveryService;
      timeoutMs?: number;
    },
  ) {}

  async record(
    environmentName: string,
    report: EnvironmentRunReport,
  ): Promise<void> {
    const { auth, discovery } = this.options;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'environments',
    });
    const baseUrl = await discovery.getBaseUrl('environments');
    const response = await fetch(
      `${baseUrl}/v1/environments/${encodeURIComponent(environmentName)}/runs`,
      {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify(report),
        signal: AbortSignal.timeout(
          this.options.timeoutMs ?? RECORD_TIMEOUT_MS,
        ),
      },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
  }
}

/** The summary the environments backend stores, from a plan's. */
export function toRunSummary(summary: PlanSummary): EnvironmentRunSummary {
  const { add, change, destroy, replace, byType, outputChanges } = summary;
  return { add, change, destroy, replace, byType, outputChanges };
}

function shorten(message: string): string {
  return message.length > MAX_MESSAGE_LENGTH
    ? `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…`
    : message;
}

/** What an action's run needs of its context. */
interface RunContext {
  logger: LoggerService;
  isDryRun?: boolean;
  task?: { id: string };
  user?: { ref?: string };
}

/**
 * One run of `kler:terraform:plan` or `apply`, recorded in the environment's
 * history when it ends: succeeded, skipped or failed. The action tells it the
 * target, the plan and why it was skipped as it goes. Dry runs, which plan
 * nothing, are not recorded. A failure to record is a warning in the task's
 * log, never a failed step.
 */
export class ActionRun {
  private environmentName?: string;
  private outcome: 'succeeded' | 'skipped' = 'succeeded';
  private message?: string;
  private summary?: EnvironmentRunSummary;
  private mask: (text: string) => string = text => text;
  /**
   * Whether Terraform started changing anything. An apply refused or failing
   * before `terraform apply` ran (a destroy not allowed, a plan that does not
   * match) changed nothing: it is recorded as skipped, not as a failed apply,
   * which would say the environment may be half changed.
   */
  private changing = false;

  constructor(
    private readonly ctx: RunContext,
    private readonly kind: Extract<EnvironmentRunKind, 'plan' | 'apply'>,
    private readonly options: RunRecordingOptions & {
      /** The `environmentName` input: for a target with no catalog entity. */
      environmentName?: string;
    },
  ) {
    this.environmentName = options.environmentName || undefined;
  }

  /** What is recorded is masked as the task's log is. */
  maskWith(masker: { mask(text: string): string }) {
    this.mask = masker.mask;
  }

  /** The environment is the target's catalog entity, when it has one. */
  target(target: ProvisioningTarget) {
    if (target.environmentRef) {
      this.environmentName = parseEntityRef(target.environmentRef).name;
    }
  }

  planned(summary: PlanSummary, verb: 'Plan' | 'Applied') {
    this.summary = toRunSummary(summary);
    this.message = `${verb}: ${describePlan(summary)}`;
  }

  /** What a run that made no plan did (the sandbox's provisioning). */
  describe(message: string) {
    this.message = message;
  }

  /** `terraform apply` (or what stands in for it) is about to change things. */
  applying() {
    this.changing = true;
  }

  skipped(reason: string) {
    this.outcome = 'skipped';
    this.message = reason;
  }

  /** Ends the run as it went; for `.then` after the action's body. */
  readonly finish = async (): Promise<void> => {
    await this.record(this.outcome, this.message);
  };

  /** Ends the run as failed and rethrows the error; for `.then` after the action's body. */
  readonly fail = async (error: unknown): Promise<never> => {
    const message = error instanceof Error ? error.message : String(error);
    if (this.kind === 'apply' && !this.changing) {
      await this.record('skipped', `Nothing was applied: ${message}`);
    } else {
      await this.record('failed', message);
    }
    throw error;
  };

  private async record(
    outcome: EnvironmentRunReport['outcome'],
    message: string | undefined,
  ) {
    const { runRecorder } = this.options;
    if (this.ctx.isDryRun || !runRecorder) return;
    const name = this.environmentName;
    if (!name || !ENTITY_NAME.test(name)) {
      this.ctx.logger.info(
        `This ${this.kind} is not recorded in an environment's history: ${
          name
            ? `environmentName '${name.slice(0, 80)}' is not an entity name`
            : 'its target is not an environment of the catalog and no environmentName was given'
        }`,
      );
      return;
    }
    const report: EnvironmentRunReport = {
      kind: this.kind,
      source: 'portal',
      outcome,
      at: new Date().toISOString(),
    };
    if (this.ctx.user?.ref) report.actor = this.ctx.user.ref;
    if (this.ctx.task?.id) report.link = `/create/tasks/${this.ctx.task.id}`;
    if (this.summary) report.summary = this.summary;
    if (message) report.message = shorten(this.mask(message));
    try {
      await runRecorder.record(name, report);
      this.ctx.logger.info(
        `Recorded this ${this.kind} (${outcome}) in the history of environment ${name}`,
      );
    } catch (error) {
      // The environments backend takes the scaffolder's runs of an
      // environment it does not know yet (a new one, before it is
      // registered), so a 404 means no such backend answered.
      const unknownEnvironment =
        error instanceof ResponseError && error.statusCode === 404
          ? ` (no environments backend took it: the environments plugin is not installed in this backend, or is a version that refuses runs of an environment not yet in the catalog; this run is not in the history)`
          : '';
      this.ctx.logger.warn(
        `Could not record this ${
          this.kind
        } in the history of environment ${name}: ${this.mask(
          String(error),
        )}${unknownEnvironment}`,
      );
    }
  }
}
