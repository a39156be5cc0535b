import { LoggerService } from '@backstage/backend-plugin-api';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Options for one run of the Terraform (or OpenTofu) CLI. */
export interface TerraformRunOptions {
  binary: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  logger: LoggerService;
  /** Masks secrets in every line before it reaches the log. */
  mask: (line: string) => string;
  signal?: AbortSignal;
  timeoutMs: number;
  /** How long Terraform gets after SIGINT to release its lock and save state. */
  killGraceMs: number;
  /**
   * Whether stdout lines go to the task log. Off for `show -json` and
   * `output -json`, whose stdout is data (and may hold sensitive values).
   */
  logStdout?: boolean;
}

/** What a finished Terraform run produced. */
export interface TerraformRunResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** How long output is still read after Terraform exited. */
const OUTPUT_DRAIN_MS = 2000;

/**
 * The Terraform runs of this process that have not ended, each with a way to
 * interrupt it, so that a backend shutting down can let them stop gracefully.
 */
const runningInterrupts = new Set<() => Promise<void>>();

/**
 * Interrupts every running Terraform (SIGINT to its process group, SIGKILL
 * after its grace period) and waits until they have ended. Called when the
 * backend shuts down: Terraform runs in process groups of its own, which a
 * stopping backend would otherwise leave running, holding their state locks.
 */
export async function interruptRunningTerraform(): Promise<void> {
  await Promise.all([...runningInterrupts].map(interrupt => interrupt()));
}

/** Thrown when a run was cancelled, timed out or stopped with the backend; Terraform was interrupted. */
export class TerraformInterruptedError extends Error {
  constructor(
    readonly reason: 'cancelled' | 'timeout' | 'shutdown',
    message: string,
  ) {
    super(message);
    this.name = 'TerraformInterruptedError';
  }
}

/**
 * Environment variables Terraform inherits from the backend: only what a CLI
 * needs to run and reach the network, so that the backend's own secrets and
 * credentials (`AWS_*`, the ECS task role's `AWS_CONTAINER_*`) never reach it.
 */
const INHERITED_ENV = [
  'PATH',
  'LANG',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
];

/**
 * The base environment of every Terraform run. `home` is a directory of the
 * run's own: Terraform and the AWS provider read files from HOME
 * (`~/.terraformrc`, `~/.aws/credentials`), and the backend's must not count.
 * The AWS provider is kept from the host's shared config files and the EC2
 * instance metadata, so the only credentials it has are the ones the session
 * gives it.
 */
export function terraformBaseEnv(options: {
  home: string;
  cliConfigFile: string;
  dataDirectory: string;
}) {
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  env.HOME = options.home;
  env.TMPDIR = options.home;
  env.TF_CLI_CONFIG_FILE = options.cliConfigFile;
  env.TF_DATA_DIR = options.dataDirectory;
  env.TF_IN_AUTOMATION = '1';
  env.CHECKPOINT_DISABLE = '1';
  env.TF_INPUT = '0';
  env.AWS_EC2_METADATA_DISABLED = 'true';
  env.AWS_CONFIG_FILE = '/dev/null';
  env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null';
  return env;
}

/**
 * Runs the CLI with an argument array and no shell, streams stdout and stderr to
 * the logger line by line as they arrive (masked), and interrupts Terraform on
 * cancellation or timeout: SIGINT first, so it releases its state lock and saves
 * state, then SIGKILL after the grace period.
 */
export async function runTerraform(
  options: TerraformRunOptions,
): Promise<TerraformRunResult> {
  const { logger, mask, signal } = options;
  if (signal?.aborted) {
    throw new TerraformInterruptedError(
      'cancelled',
      `Task was cancelled before terraform ${options.args[0]} started`,
    );
  }
  logger.info(mask(`$ ${options.binary} ${options.args.join(' ')}`));

  // Its own process group, so that cancelling reaches every process it
  // started (providers, and whatever they start), not only Terraform itself.
  const child = spawn(options.binary, options.args, {
    cwd: options.cwd,
    env: options.env,
    shell: false,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const signalGroup = (processSignal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, processSignal);
    } catch {
      // The group is gone already.
    }
  };

  const stdoutChunks: string[] = [];
  const stderrChunks: string[] = [];
  const logStdout = options.logStdout ?? true;
  const stdoutDone = new Promise<void>(resolve => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', line => {
      stdoutChunks.push(line);
      if (logStdout) logger.info(mask(line));
    });
    lines.on('close', resolve);
  });
  const stderrDone = new Promise<void>(resolve => {
    const lines = createInterface({ input: child.stderr });
    lines.on('line', line => {
      stderrChunks.push(line);
      logger.warn(mask(line));
    });
    lines.on('close', resolve);
  });

  let interrupted: 'cancelled' | 'timeout' | 'shutdown' | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const reasons = {
    cancelled: 'Task cancelled',
    timeout: 'Timed out',
    shutdown: 'The backend is shutting down',
  };
  const interrupt = (reason: keyof typeof reasons) => {
    if (interrupted) return;
    interrupted = reason;
    logger.warn(
      `${reasons[reason]}: interrupting terraform (SIGINT) so it releases its lock and saves state`,
    );
    signalGroup('SIGINT');
    killTimer = setTimeout(() => {
      logger.error(
        `terraform did not stop within ${options.killGraceMs} ms: killing it`,
      );
      signalGroup('SIGKILL');
    }, options.killGraceMs);
  };
  const onAbort = () => interrupt('cancelled');
  signal?.addEventListener('abort', onAbort);
  const timeoutTimer = setTimeout(
    () => interrupt('timeout'),
    options.timeoutMs,
  );

  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', code => resolve(code));
  });
  const onShutdown = async () => {
    interrupt('shutdown');
    await exited.catch(() => undefined);
  };
  runningInterrupts.add(onShutdown);

  try {
    const exitCode = await exited;
    // A process Terraform started (a provisioner, a provider) may outlive it
    // and hold the pipes open: read what is left, but do not wait forever.
    let drainTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([stdoutDone, stderrDone]),
      new Promise(resolve => {
        drainTimer = setTimeout(resolve, OUTPUT_DRAIN_MS);
      }),
    ]);
    clearTimeout(drainTimer);
    child.stdout.destroy();
    child.stderr.destroy();
    if (interrupted) {
      // Whatever Terraform left behind in its group goes with it.
      signalGroup('SIGKILL');
    }
    if (interrupted === 'cancelled') {
      throw new TerraformInterruptedError(
        'cancelled',
        `terraform ${options.args[0]} was cancelled`,
      );
    }
    if (interrupted === 'shutdown') {
      throw new TerraformInterruptedError(
        'shutdown',
        `terraform ${options.args[0]} was interrupted because the backend shut down`,
      );
    }
    if (interrupted === 'timeout') {
      throw new TerraformInterruptedError(
        'timeout',
        `terraform ${options.args[0]} timed out after ${Math.round(
          options.timeoutMs / 1000,
        )} s`,
      );
    }
    return {
      exitCode,
      stdout: stdoutChunks.join('\n'),
      stderr: stderrChunks.join('\n'),
    };
  } finally {
    runningInterrupts.delete(onShutdown);
    clearTimeout(timeoutTimer);
    if (killTimer) clearTimeout(killTimer);
    signal?.removeEventListener('abort', onAbort);
  }
}
