import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { AwsCredentialsManager } from '@backstage/integration-aws-node';
import { JsonValue } from '@backstage/types';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeCliConfig } from './cliConfig';
import { TerraformConfig } from './config';
import { ActionMasker } from './masking';
import { TerraformRunLimiter } from './runLimiter';
import {
  runTerraform,
  terraformBaseEnv,
  TerraformRunResult,
} from './runTerraform';

/** The file the task's variables are written to, beside the configuration. */
export const TASK_TFVARS_FILE = 'kler-task.auto.tfvars.json';

/** What a session needs from the action and its context. */
export interface TerraformSessionOptions {
  config: TerraformConfig;
  limiter: TerraformRunLimiter;
  logger: LoggerService;
  masker: ActionMasker;
  signal?: AbortSignal;
  workingDirectory: string;
  /**
   * Terraform's own directory (TF_DATA_DIR: providers, modules, backend
   * settings). It lives where the configuration cannot put files beforehand.
   */
  dataDirectory: string;
  /**
   * Whether providers may be downloaded from the registry (the allowlist
   * only). Never in a dry run: only the configured mirror is used then.
   */
  download: boolean;
  timeoutMinutes?: number;
  vars?: Record<string, JsonValue>;
  sensitiveVars?: string[];
  /** The account to run in; absent for runs that need no AWS access. */
  aws?: {
    credentialsManager?: AwsCredentialsManager;
    accountId: string;
    region?: string;
  };
}

/** Thrown when the AWS credentials for the target account cannot be obtained. */
export class AwsCredentialsUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AwsCredentialsUnavailableError';
  }
}

/**
 * One action's use of Terraform: a home directory of its own with the CLI
 * configuration, the environment (AWS credentials only as env vars), the
 * deadline shared by all its commands, the task's variables file, and a slot
 * of the backend's run limit for each command.
 */
export class TerraformSession {
  private readonly deadline: number;

  private constructor(
    private readonly options: TerraformSessionOptions,
    private readonly home: string,
    private readonly env: Record<string, string>,
  ) {
    for (const name of options.sensitiveVars ?? []) {
      options.masker.add(options.vars?.[name]);
    }
    const minutes = options.timeoutMinutes ?? options.config.timeoutMinutes;
    this.deadline = Date.now() + minutes * 60_000;
  }

  /**
   * Runs `fn` with a session; its home directory is removed afterwards. AWS
   * credentials are fetched only here, only for `options.aws.accountId`.
   */
  static async use<T>(
    options: TerraformSessionOptions,
    fn: (session: TerraformSession) => Promise<T>,
  ): Promise<T> {
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-terraform-'));
    try {
      const cliConfigFile = await writeCliConfig(home, options.config, {
        download: options.download,
      });
      await fs.mkdir(options.dataDirectory, { recursive: true });
      const env = terraformBaseEnv({
        home,
        cliConfigFile,
        dataDirectory: options.dataDirectory,
      });
      await addAwsCredentials(env, options);
      return await fn(new TerraformSession(options, home, env));
    } finally {
      await fs.rm(home, { recursive: true, force: true });
    }
  }

  get workingDirectory() {
    return this.options.workingDirectory;
  }

  /** Masks a line the action itself builds from Terraform's output. */
  maskLine(line: string) {
    return this.options.masker.mask(line);
  }

  /**
   * Writes the task's variables beside the configuration (never on the command
   * line) for the duration of `fn`, then removes them, so they are not published
   * with the configuration.
   */
  async withVariables<T>(fn: () => Promise<T>): Promise<T> {
    const vars = this.options.vars ?? {};
    if (Object.keys(vars).length === 0) return fn();
    const file = path.join(this.options.workingDirectory, TASK_TFVARS_FILE);
    await fs.writeFile(file, JSON.stringify(vars, null, 2), { mode: 0o600 });
    try {
      return await fn();
    } finally {
      await fs.rm(file, { force: true });
    }
  }

  /** Runs one Terraform command in the working directory, in a run slot. */
  async run(
    args: string[],
    options?: { logStdout?: boolean },
  ): Promise<TerraformRunResult> {
    const { logger, limiter, signal } = this.options;
    return limiter.run(
      () =>
        runTerraform({
          binary: this.options.config.binary,
          args,
          cwd: this.options.workingDirectory,
          env: this.env,
          logger,
          mask: this.options.masker.mask,
          signal,
          timeoutMs: Math.max(this.deadline - Date.now(), 1),
          killGraceMs: this.options.config.cancelGraceSeconds * 1000,
          logStdout: options?.logStdout,
        }),
      {
        signal,
        onWait: running =>
          logger.info(
            `Waiting for a free Terraform slot: ${running} of ${limiter.maxConcurrentRuns} are running on this backend`,
          ),
      },
    );
  }

  /** Runs a command and fails with its last error lines when it fails. */
  async runOrThrow(args: string[], options?: { logStdout?: boolean }) {
    const result = await this.run(args, options);
    if (result.exitCode !== 0) {
      throw new Error(
        `terraform ${args[0]} failed (exit code ${
          result.exitCode
        }): ${this.maskLine(lastErrorLines(result.stderr))}`,
      );
    }
    return result;
  }

  /** The session's home, for tests. */
  get homeDirectory() {
    return this.home;
  }
}

async function addAwsCredentials(
  env: Record<string, string>,
  options: TerraformSessionOptions,
) {
  const { aws, masker } = options;
  if (!aws) return;
  if (aws.region) {
    env.AWS_REGION = aws.region;
    env.AWS_DEFAULT_REGION = aws.region;
  }
  if (!aws.credentialsManager) {
    throw new AwsCredentialsUnavailableError(
      `no AWS credentials manager is configured for account ${aws.accountId}`,
    );
  }
  try {
    const provider = await aws.credentialsManager.getCredentialProvider({
      accountId: aws.accountId,
    });
    const credentials = await provider.sdkCredentialProvider();
    masker.add(
      credentials.accessKeyId,
      credentials.secretAccessKey,
      credentials.sessionToken,
    );
    env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    if (credentials.sessionToken) {
      env.AWS_SESSION_TOKEN = credentials.sessionToken;
    }
  } catch (error) {
    throw new AwsCredentialsUnavailableError(
      `AWS credentials for account ${
        aws.accountId
      } are unavailable: ${masker.mask(String((error as Error).message))}`,
    );
  }
}

/** The first "Error: ..." line of Terraform's stderr, or its last lines. */
export function lastErrorLines(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map(line => line.replace(/^[│╷╵]\s?/, '').trim())
    .filter(Boolean);
  const errorIndex = lines.findIndex(line => line.startsWith('Error:'));
  if (errorIndex >= 0) {
    return lines.slice(errorIndex, errorIndex + 3).join(' ');
  }
  return lines.slice(-3).join(' ') || 'no error output';
}

/** Builds the `-backend-config=key=value` arguments of `terraform init`. */
export function backendConfigArgs(settings: Record<string, string>): string[] {
  return Object.entries(settings).map(
    ([key, value]) => `-backend-config=${key}=${value}`,
  );
}

/** Rejects an empty string the same way as a missing one. */
export function nonEmpty(value: string | undefined) {
  return value === undefined || value === '' ? undefined : value;
}

/** Throws an InputError when a required string is missing. */
export function requireInput(value: string | undefined, field: string) {
  if (!value) throw new InputError(`${field} is required`);
  return value;
}

/**
 * Whether `terraform init` failed because providers, modules or the backend
 * could not be reached (as on a machine without internet, or in a dry run,
 * which downloads nothing), rather than because the configuration is wrong.
 */
export function isUnreachableDependencyFailure(stderr: string): boolean {
  return [
    /Failed to query available provider packages/i,
    /Failed to install provider/i,
    /could not connect to registry/i,
    /Failed to download module/i,
    /Error accessing remote module registry/i,
    /No valid credential sources found/i,
    /error configuring S3 Backend/i,
    /Failed to get existing workspaces/i,
    /no available releases match the given constraints/i,
    /dial tcp|no such host|i\/o timeout|connection refused/i,
  ].some(pattern => pattern.test(stderr));
}
