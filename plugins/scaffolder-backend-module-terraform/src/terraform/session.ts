import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { AwsCredentialsManager } from '@backstage/integration-aws-node';
import { JsonValue } from '@backstage/types';
import fs from 'node:fs/promises';
import path from 'node:path';
import { TerraformConfig } from './config';
import { createSecretMasker } from './masking';
import {
  runTerraform,
  terraformBaseEnv,
  TerraformRunResult,
} from './runTerraform';

/** The file the task's variables are written to, beside the configuration. */
export const TASK_TFVARS_FILE = 'kler-task.auto.tfvars.json';

/** What a session needs from the action's context. */
export interface TerraformSessionOptions {
  config: TerraformConfig;
  logger: LoggerService;
  signal?: AbortSignal;
  workingDirectory: string;
  timeoutMinutes?: number;
  secrets?: Record<string, string>;
  vars?: Record<string, JsonValue>;
  sensitiveVars?: string[];
  aws?: {
    credentialsManager?: AwsCredentialsManager;
    accountId?: string;
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

function stringValue(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * One action's use of Terraform: the environment (AWS credentials only as env
 * vars), the masker (task secrets, sensitive variables, credentials), the
 * deadline shared by all its commands, and the task's variables file.
 */
export class TerraformSession {
  private readonly env: Record<string, string>;
  private mask: (line: string) => string;
  private readonly deadline: number;
  private readonly secretValues: string[];

  private constructor(private readonly options: TerraformSessionOptions) {
    this.env = terraformBaseEnv(options.config.pluginCacheDir);
    this.secretValues = [...Object.values(options.secrets ?? {})];
    for (const name of options.sensitiveVars ?? []) {
      const value = options.vars?.[name];
      if (value !== undefined && value !== null) {
        this.secretValues.push(stringValue(value));
      }
    }
    this.mask = createSecretMasker(this.secretValues);
    const minutes = options.timeoutMinutes ?? options.config.timeoutMinutes;
    this.deadline = Date.now() + minutes * 60_000;
  }

  static async create(options: TerraformSessionOptions) {
    const session = new TerraformSession(options);
    await session.addAwsCredentials();
    return session;
  }

  get workingDirectory() {
    return this.options.workingDirectory;
  }

  /** Masks these values too from now on, e.g. sensitive values read from a plan. */
  addSecrets(values: string[]) {
    this.secretValues.push(...values);
    this.mask = createSecretMasker(this.secretValues);
  }

  /** Masks a line the action itself logs. */
  maskLine(line: string) {
    return this.mask(line);
  }

  private async addAwsCredentials() {
    const { aws } = this.options;
    if (!aws?.accountId) return;
    if (aws.region) {
      this.env.AWS_REGION = aws.region;
      this.env.AWS_DEFAULT_REGION = aws.region;
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
      this.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
      this.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
      if (credentials.sessionToken) {
        this.env.AWS_SESSION_TOKEN = credentials.sessionToken;
      }
      this.secretValues.push(
        credentials.accessKeyId,
        credentials.secretAccessKey,
        ...(credentials.sessionToken ? [credentials.sessionToken] : []),
      );
      this.mask = createSecretMasker(this.secretValues);
    } catch (error) {
      throw new AwsCredentialsUnavailableError(
        `AWS credentials for account ${aws.accountId} are unavailable: ${
          (error as Error).message
        }`,
      );
    }
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

  /** Runs one Terraform command in the working directory. */
  async run(
    args: string[],
    options?: { logStdout?: boolean },
  ): Promise<TerraformRunResult> {
    const remaining = this.deadline - Date.now();
    return runTerraform({
      binary: this.options.config.binary,
      args,
      cwd: this.options.workingDirectory,
      env: this.env,
      logger: this.options.logger,
      mask: this.mask,
      signal: this.options.signal,
      timeoutMs: Math.max(remaining, 1),
      killGraceMs: this.options.config.cancelGraceSeconds * 1000,
      logStdout: options?.logStdout,
    });
  }

  /** Runs a command and fails with its last error lines when it fails. */
  async runOrThrow(args: string[], options?: { logStdout?: boolean }) {
    const result = await this.run(args, options);
    if (result.exitCode !== 0) {
      throw new Error(
        `terraform ${args[0]} failed (exit code ${
          result.exitCode
        }): ${this.mask(lastErrorLines(result.stderr))}`,
      );
    }
    return result;
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
 * could not be reached (as on a machine without internet), rather than because
 * the configuration is wrong.
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
    /dial tcp|no such host|i\/o timeout|connection refused/i,
  ].some(pattern => pattern.test(stderr));
}
