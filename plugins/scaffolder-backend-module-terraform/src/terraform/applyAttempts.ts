import { JsonObject, JsonValue } from '@backstage/types';
import { randomUUID } from 'node:crypto';
import { ProvisioningTarget } from '../provisioning/targets';
import { PlannedChange } from './stateComparison';
import { StateLocation } from './stateLocation';

/**
 * What an apply step records, in the task's checkpoints, as it starts
 * `terraform apply`: enough for a later run of the step to tell that this
 * apply was interrupted, to find its state and lock, and to say what it was
 * doing, even when the workspace is gone with the backend that ran it.
 */
export interface ApplyAttemptRecord {
  /** This run of the step. */
  attempt: string;
  /** ISO time `terraform apply` was started, by the clock of its host. */
  startedAt: string;
  /** `os.hostname()` of the backend that ran it. */
  host: string;
  /** After `startedAt`, the time within which its own time limit stopped it (timeout and kill grace). */
  stoppedWithinMs: number;
  target: ProvisioningTarget;
  /** Where its state is; absent when `init` left no readable record of it. */
  state?: StateLocation;
  /** What the plan changes, resource by resource. */
  changes: PlannedChange[];
  /** `1001 to add, 0 to change, ...` */
  summary: string;
}

/** How an attempt ended, when it did: what Terraform answered. */
export interface ApplyAttemptEnd {
  attempt: string;
  outcome: 'applied' | 'failed';
  at: string;
}

/** The checkpoint function of an action's context. */
export type Checkpoint = <T extends JsonValue | void>(options: {
  key: string;
  fn: () => Promise<T> | T;
}) => Promise<T>;

/** Records are stored as the JSON they are. */
const stored = (record: ApplyAttemptRecord | ApplyAttemptEnd) =>
  record as unknown as JsonObject;

class NotRecorded extends Error {
  constructor() {
    super('Not recorded by an earlier run of this step');
    this.name = 'NotRecorded';
  }
}

/**
 * The value an earlier run of this step stored under `key`, or undefined. The
 * scaffolder's checkpoint returns a stored value without calling its
 * function, so a function that throws reads without storing; it notes the
 * key as failed, which a later checkpoint of the same key in this run
 * replaces (each run sees the checkpoints as they were when its step began).
 */
export async function readCheckpoint(
  checkpoint: Checkpoint,
  key: string,
): Promise<JsonValue | undefined> {
  try {
    return await checkpoint<JsonValue>({
      key,
      fn: () => {
        throw new NotRecorded();
      },
    });
  } catch (error) {
    if (error instanceof NotRecorded) return undefined;
    throw error;
  }
}

/**
 * The attempts of one task to apply one saved plan, kept in checkpoints: the
 * first under `kler.terraform.apply.started.<sha256>`, each later one (a
 * retried task) under `...started.<sha256>.after.<previous attempt>`, and how
 * each ended under `kler.terraform.apply.ended.<attempt>`. An attempt that
 * started and never ended was interrupted with its backend: Terraform was
 * killed mid-apply, with its lock held and its state partly written.
 */
export class ApplyAttempts {
  private readonly id = randomUUID();
  private nextKey?: string;

  constructor(
    private readonly checkpoint: Checkpoint,
    private readonly planSha256: string,
  ) {}

  /** The latest earlier attempt when it never ended; reads the chain once. */
  async findInterrupted(): Promise<ApplyAttemptRecord | undefined> {
    let key = `kler.terraform.apply.started.${this.planSha256}`;
    for (;;) {
      const started = (await readCheckpoint(this.checkpoint, key)) as
        | ApplyAttemptRecord
        | undefined;
      if (!started) {
        this.nextKey = key;
        return undefined;
      }
      const ended = await readCheckpoint(
        this.checkpoint,
        `kler.terraform.apply.ended.${started.attempt}`,
      );
      if (!ended) return started;
      key = `kler.terraform.apply.started.${this.planSha256}.after.${started.attempt}`;
    }
  }

  /** Records that this run starts `terraform apply` (after {@link findInterrupted}). */
  async start(
    record: Omit<ApplyAttemptRecord, 'attempt' | 'startedAt'>,
  ): Promise<ApplyAttemptRecord> {
    if (!this.nextKey) {
      throw new Error('findInterrupted must be called before start');
    }
    const started: ApplyAttemptRecord = {
      ...record,
      attempt: this.id,
      startedAt: new Date().toISOString(),
    };
    const value = stored(started);
    await this.checkpoint({ key: this.nextKey, fn: () => value });
    return started;
  }

  /** Records how `terraform apply` ended, as Terraform answered. */
  async end(outcome: ApplyAttemptEnd['outcome']): Promise<void> {
    const value = stored({
      attempt: this.id,
      outcome,
      at: new Date().toISOString(),
    });
    await this.checkpoint({
      key: `kler.terraform.apply.ended.${this.id}`,
      fn: () => value,
    });
  }
}
