import { LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { INTERRUPTED_APPLY_MESSAGE_PREFIX } from '@kler/plugin-environments-common';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ProvisioningTarget } from '../provisioning/targets';
import { ApplyAttemptRecord } from '../terraform/applyAttempts';
import { ActionMasker } from '../terraform/masking';
import { createPlanFiles } from '../terraform/planRecord';
import { lastErrorLines, TerraformSession } from '../terraform/session';
import {
  compareStateWithPlan,
  describeStateComparison,
  StateComparison,
} from '../terraform/stateComparison';
import {
  decideLockRelease,
  parseLockFile,
  parseLockInfo,
  TerraformLockInfo,
} from '../terraform/stateLock';
import {
  localLockFile,
  readStateLocation,
  StateLocation,
  terraformProcessesUsing,
} from '../terraform/stateLocation';
import { sessionOptions, TerraformActionsRuntime } from './common';

/** How an apply handles an earlier run of its step that was interrupted. */
export interface InterruptedApplyOptions {
  /** How often a held lock is looked at again while waiting for it; 15 s. */
  lockPollIntervalMs?: number;
}

const DEFAULT_LOCK_POLL_INTERVAL_MS = 15_000;

/**
 * An address no state has: `untaint -allow-missing` of it takes the state's
 * lock, reads the state, finds nothing and releases the lock, writing
 * nothing. Terraform has no other command that only takes the lock.
 */
const LOCK_PROBE_ADDRESS = 'kler_state_lock.probe';

/** What the run of an interrupted apply's step needs of its context. */
interface RecoveryContext {
  logger: LoggerService;
  signal?: AbortSignal;
  workspacePath: string;
  templateInfo?: { entityRef?: string };
  input: { timeoutMinutes?: number };
}

/** What was found, to say in the task's error and the run history. */
interface Findings {
  state?: StateComparison;
  stateProblem?: string;
  lock: string;
}

function sleep(ms: number, signal?: AbortSignal) {
  return new Promise<void>(resolve => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });
}

/**
 * Releases the interrupted apply's state lock when that is safe (see
 * `decideLockRelease`), waiting while its holder may still run. The local
 * backend's lock is the operating system's lock on the state file, which
 * ends with its process: the probe takes and releases it, which also removes
 * the description file the killed Terraform left.
 */
async function releaseLock(
  session: TerraformSession,
  state: StateLocation,
  interrupted: ApplyAttemptRecord,
  ctx: RecoveryContext,
  options: { binary: string; pollIntervalMs: number },
): Promise<string> {
  const lockFile = localLockFile(state);
  const leftFile = lockFile
    ? parseLockFile(await fs.readFile(lockFile, 'utf8').catch(() => ''))
    : undefined;
  ctx.logger.info(
    `Checking the state's lock: terraform untaint -allow-missing of ${LOCK_PROBE_ADDRESS}, which no state has, takes the lock and releases it, changing nothing`,
  );
  let waitingFor: TerraformLockInfo | undefined;
  for (;;) {
    const probe = await session.run(
      [
        'untaint',
        '-allow-missing',
        '-lock-timeout=0s',
        '-no-color',
        LOCK_PROBE_ADDRESS,
      ],
      { logStdout: false },
    );
    if (probe.exitCode === 0) {
      if (waitingFor) {
        return `The state lock ${waitingFor.id} was released by its holder while this run waited`;
      }
      if (leftFile) {
        ctx.logger.info(
          `The lock file the interrupted apply left (lock ${leftFile.id}, ${leftFile.operation} by ${leftFile.who}, taken at ${leftFile.created}) was removed: no process held the lock on the state file any more`,
        );
        return `The state's lock is free: the lock file the interrupted apply left (lock ${leftFile.id}) was removed, no process holding the lock`;
      }
      return 'No state lock was left held';
    }
    const hostname = os.hostname();
    const running =
      hostname === interrupted.host
        ? await terraformProcessesUsing(state, options.binary)
        : undefined;
    const lock = parseLockInfo(probe.stderr);
    if (!lock) {
      // A Terraform writing a local state in place leaves it unreadable for
      // a moment: the probe fails without naming the lock. Look again while
      // a Terraform on this host uses the state, within its time limit.
      const until =
        Date.parse(interrupted.startedAt) + interrupted.stoppedWithinMs;
      if (running?.length && Date.now() < until) {
        await sleep(options.pollIntervalMs, ctx.signal);
        if (!ctx.signal?.aborted) continue;
      }
      return `The state's lock could not be checked: ${session.maskLine(
        lastErrorLines(probe.stderr),
      )}`;
    }
    const decision = decideLockRelease(lock, interrupted, {
      hostname,
      now: new Date(),
      runningHere: running && running.length > 0,
    });
    if (decision.action === 'leave') {
      return `The state is locked by another run, left alone: ${decision.reason}`;
    }
    if (decision.action === 'release') {
      ctx.logger.info(`Releasing the state lock: ${decision.reason}`);
      const unlock = await session.run([
        'force-unlock',
        '-force',
        '-no-color',
        lock.id,
      ]);
      return unlock.exitCode === 0
        ? `The state lock the interrupted apply held (${lock.id}) was released: ${decision.brief}`
        : `The state lock the interrupted apply held (${
            lock.id
          }) could not be released: ${session.maskLine(
            lastErrorLines(unlock.stderr),
          )}`;
    }
    const remainingMs = decision.until.getTime() - Date.now();
    if (remainingMs <= 0) {
      return `The state lock ${lock.id} is still held and was not released: ${decision.reason}`;
    }
    if (waitingFor?.id !== lock.id) {
      ctx.logger.warn(
        `Waiting until ${decision.until.toISOString()} at the latest before releasing the state lock: ${
          decision.reason
        }${
          running?.length ? ` (process ${running.join(', ')})` : ''
        }. Cancelling the task stops waiting and leaves the lock held.`,
      );
      waitingFor = lock;
    }
    await sleep(Math.min(options.pollIntervalMs, remainingMs), ctx.signal);
    if (ctx.signal?.aborted) {
      return `The task was cancelled while waiting for the state lock ${lock.id}: it is still held (${decision.reason}); once its holder has stopped, release it with terraform force-unlock ${lock.id} in the environment's code`;
    }
  }
}

/**
 * With a session whose backend is the interrupted apply's state: releases its
 * lock when that is safe, then compares the state with the plan.
 */
async function readStateOf(
  session: TerraformSession,
  location: StateLocation,
  interrupted: ApplyAttemptRecord,
  ctx: RecoveryContext,
  options: { binary: string; pollIntervalMs: number },
): Promise<Findings> {
  const lock = await releaseLock(session, location, interrupted, ctx, options);
  const pulled = await session.run(['state', 'pull'], {
    logStdout: false,
  });
  if (pulled.exitCode !== 0) {
    return {
      lock,
      stateProblem: `the state could not be read: ${session.maskLine(
        lastErrorLines(pulled.stderr),
      )}`,
    };
  }
  try {
    return {
      lock,
      state: compareStateWithPlan(pulled.stdout, interrupted.changes),
    };
  } catch {
    return { lock, stateProblem: 'the state is not valid JSON' };
  }
}

/** Looks at the interrupted apply's state: its lock first, then what it holds. */
async function inspectState(
  runtime: TerraformActionsRuntime,
  ctx: RecoveryContext,
  masker: ActionMasker,
  interrupted: ApplyAttemptRecord,
  target: ProvisioningTarget,
  pollIntervalMs: number,
): Promise<Findings> {
  const location = interrupted.state;
  if (!location) {
    return {
      stateProblem: 'where its state is was not recorded',
      lock: 'Its lock was not checked',
    };
  }
  // A folder of this run's own with only the backend: the workspace of the
  // interrupted run may be gone with the backend that ran it.
  const files = await createPlanFiles(ctx.workspacePath);
  await fs.writeFile(
    path.join(files.directory, 'state.tf.json'),
    JSON.stringify({
      terraform: {
        backend: { [location.type]: location.config },
      },
    }),
    { mode: 0o600 },
  );
  return TerraformSession.use(
    sessionOptions(runtime, {
      logger: ctx.logger,
      masker,
      signal: ctx.signal,
      workingDirectory: files.directory,
      dataDirectory: files.dataDirectory,
      download: false,
      timeoutMinutes: ctx.input.timeoutMinutes,
      target,
    }),
    async session => {
      const init = await session.run(['init', '-input=false', '-no-color']);
      // init configures the backend before it installs the providers that
      // resources in the state name; this run needs the backend only.
      const configured = await readStateLocation(
        files.dataDirectory,
        files.directory,
      );
      if (init.exitCode !== 0 && configured?.type !== location.type) {
        const problem = `the state could not be reached: ${session.maskLine(
          lastErrorLines(init.stderr),
        )}`;
        return { stateProblem: problem, lock: `Its lock was not checked` };
      }
      return readStateOf(session, location, interrupted, ctx, {
        binary: runtime.config.binary,
        pollIntervalMs,
      });
    },
  );
}

/** `/create/templates/default/kler-environment`, to run the template again. */
function templatePage(templateRef: string | undefined): string | undefined {
  if (!templateRef) return undefined;
  try {
    const { namespace, name } = parseEntityRef(templateRef);
    return `/create/templates/${namespace}/${name}`;
  } catch {
    return undefined;
  }
}

/**
 * The run of an apply step after an earlier run of it was interrupted (its
 * backend died while Terraform applied): it applies nothing (a saved plan
 * that was partly applied is stale), releases the interrupted apply's state
 * lock when that is safe, compares the state with the plan, and returns what
 * a person needs to go on, beginning with
 * {@link INTERRUPTED_APPLY_MESSAGE_PREFIX}: what was applied, the lock, and
 * the next step.
 */
export async function recoverInterruptedApply(
  runtime: TerraformActionsRuntime,
  ctx: RecoveryContext,
  masker: ActionMasker,
  interrupted: ApplyAttemptRecord,
  targetNow: ProvisioningTarget | Error,
  options: InterruptedApplyOptions = {},
): Promise<string> {
  const target = targetNow instanceof Error ? interrupted.target : targetNow;
  ctx.logger.warn(
    `An earlier run of this step started applying this plan (${interrupted.summary}) at ${interrupted.startedAt} on host ${interrupted.host} and never finished: the backend running it stopped, and the scaffolder recovered this task. A saved plan is applied once: this run applies nothing, releases the state lock the interrupted apply held when that is safe, and reports what the state holds.`,
  );
  const findings: Findings =
    targetNow instanceof Error
      ? {
          stateProblem: `its state was not read, since the account may not be used now: ${targetNow.message}`,
          lock: 'Its lock was not checked',
        }
      : await inspectState(
          runtime,
          ctx,
          masker,
          interrupted,
          targetNow,
          options.lockPollIntervalMs ?? DEFAULT_LOCK_POLL_INTERVAL_MS,
        );
  return interruptedMessage(
    interrupted,
    findings,
    target,
    ctx.templateInfo?.entityRef,
    'its backend stopped; the scaffolder recovered the task',
  );
}

/**
 * What a person needs to go on after an interrupted apply, beginning with
 * {@link INTERRUPTED_APPLY_MESSAGE_PREFIX}: what stopped, what the state
 * holds, its lock, and the next step; short enough for the run history
 * (1,000 characters), the details of the lock being in the task's log.
 */
function interruptedMessage(
  interrupted: ApplyAttemptRecord,
  findings: Findings,
  target: ProvisioningTarget,
  templateRef: string | undefined,
  why: string,
): string {
  const state = findings.state
    ? describeStateComparison(findings.state)
    : `What was applied is not known: ${findings.stateProblem}`;
  const missing =
    findings.state && findings.state.added.done < findings.state.added.planned;
  const page = templatePage(templateRef);
  const guard =
    target.tier === 'production'
      ? 'allowDestroy, and the environments.provision.production permission'
      : 'allowDestroy';
  return [
    `${INTERRUPTED_APPLY_MESSAGE_PREFIX}this task's apply of its plan (${interrupted.summary}) started at ${interrupted.startedAt} on host ${interrupted.host} and stopped before it finished (${why}); nothing more was applied.`,
    `${state}.`,
    `${findings.lock}.`,
    `Next step: run the template again${
      page ? ` (${page})` : ''
    }: it plans against the state as it is now and applies that plan with the same checks (${guard}).`,
    ...(missing
      ? [
          `Before applying, look in account ${target.accountId} for resources created after Terraform last wrote its state: they are not in it, and the new plan would create them again.`,
        ]
      : []),
  ].join(' ');
}

/** How long a backend shutting down gives the look at the state. */
const SHUTDOWN_INSPECTION_MS = 15_000;

/**
 * The error of an apply that the backend's shutdown interrupted (a rolling
 * deploy's SIGTERM: Terraform got SIGINT and its grace period to save its
 * state and release its lock). When the scaffolder marks the task failed
 * before the backend exits, this is what the task and the run history say;
 * when it exits first, the recovered task's run of the step says it (the
 * attempt has no end, see `ApplyAttempts`). Looks at the state with the
 * apply's own session, for at most 15 s.
 */
export async function describeShutdownInterruption(
  runtime: TerraformActionsRuntime,
  ctx: RecoveryContext,
  session: TerraformSession,
  interrupted: ApplyAttemptRecord,
  target: ProvisioningTarget,
  options: InterruptedApplyOptions = {},
): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const findings: Findings = interrupted.state
    ? await Promise.race([
        readStateOf(session, interrupted.state, interrupted, ctx, {
          binary: runtime.config.binary,
          pollIntervalMs:
            options.lockPollIntervalMs ?? DEFAULT_LOCK_POLL_INTERVAL_MS,
        }).catch(
          (error: Error): Findings => ({
            stateProblem: `the state could not be read: ${session.maskLine(
              error.message,
            )}`,
            lock: 'Its lock was not checked',
          }),
        ),
        new Promise<Findings>(resolve => {
          timer = setTimeout(
            () =>
              resolve({
                stateProblem: 'the backend shut down before the state was read',
                lock: 'Its lock was not checked',
              }),
            SHUTDOWN_INSPECTION_MS,
          );
        }),
      ]).finally(() => clearTimeout(timer))
    : {
        stateProblem: 'where its state is was not recorded',
        lock: 'Its lock was not checked',
      };
  return interruptedMessage(
    interrupted,
    findings,
    target,
    ctx.templateInfo?.entityRef,
    'its backend shut down, interrupting Terraform so that it saved its state',
  );
}
