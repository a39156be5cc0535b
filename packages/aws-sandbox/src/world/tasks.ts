import type { EnvironmentSpec, ServiceSpec } from '../scenario/schema';
import { hexId, unit } from './random';
import { TrafficModel } from './traffic';
import {
  bucketOf,
  bucketStart,
  HOUR,
  MINUTE,
  REVISION_EPOCH,
  SECOND,
} from './time';

// module-level: global Math lookups are slow inside Jest's sandbox
const { floor, max } = Math;

/** How long ECS keeps stopped tasks visible. */
export const STOPPED_TASK_RETENTION = HOUR;

export type StopKind = 'deployment' | 'crash' | 'scaleIn' | 'failedStart';

/** A failing rollout starts a task of the new revision this often... */
const FAILED_ATTEMPT_EVERY = 2 * MINUTE;
/** ...which exits this long after it was created. */
const FAILED_ATTEMPT_LIFETIME = 80 * SECOND;

/** One task's life in one slot of a service: from start to stop (if stopped). */
export interface TaskRun {
  service: ServiceSpec;
  slot: number;
  id: string;
  createdAt: number;
  startedAt: number;
  stoppedAt?: number;
  stopKind?: StopKind;
  revision: number;
  deployment: number;
}

/**
 * A service's deployment schedule: deployment k starts at phase + k * period
 * and replaces slot s at a fraction of the rollout time.
 */
export class ServiceSchedule {
  readonly period: number;
  readonly rollout: number;
  readonly phase: number;
  readonly crashPeriod?: number;
  /** No crash before this time (`crash.since`). */
  readonly crashSince: number;

  constructor(
    private readonly seed: string,
    private readonly env: EnvironmentSpec,
    readonly service: ServiceSpec,
    private readonly traffic: TrafficModel,
  ) {
    this.period = service.deployment.everyHours * HOUR;
    this.rollout = service.deployment.rolloutMinutes * MINUTE;
    // whole seconds, so derived timestamps stay whole seconds too
    this.phase =
      floor(
        (unit(seed, env.name, service.name, 'deploy-phase') * this.period) /
          SECOND,
      ) * SECOND;
    this.crashPeriod = service.crash
      ? service.crash.everyMinutes * MINUTE
      : undefined;
    this.crashSince = service.crash?.since
      ? Date.parse(service.crash.since)
      : -Infinity;
  }

  deploymentIndex(time: number): number {
    return floor((time - REVISION_EPOCH - this.phase) / this.period);
  }

  deploymentStart(index: number): number {
    return REVISION_EPOCH + this.phase + index * this.period;
  }

  /** Task definition revision deployment `index` rolls out. */
  revision(index: number): number {
    return max(2, index + 2);
  }

  /** Revision the running tasks use at `time`, for slot `slot`. */
  runningRevision(slot: number, time: number): number {
    if (this.service.deployment.fails) return 1;
    return this.revision(this.deploymentIndex(time - this.slotDelay(slot)));
  }

  slotDelay(slot: number): number {
    const delay = (this.rollout * (slot + 1)) / (this.service.max + 1);
    return floor(delay / SECOND) * SECOND;
  }

  private crashOffset(slot: number): number {
    const offset = unit(
      this.seed,
      this.env.name,
      this.service.name,
      'crash',
      slot,
    );
    return floor((offset * (this.crashPeriod ?? 0)) / SECOND) * SECOND;
  }

  /** Last time at or before `time` that replaced the task in `slot`. */
  lastBoundary(slot: number, time: number): { at: number; kind: StopKind } {
    let best = { at: -Infinity, kind: 'deployment' as StopKind };
    if (!this.service.deployment.fails) {
      const delay = this.slotDelay(slot);
      const index = this.deploymentIndex(time - delay);
      best = { at: this.deploymentStart(index) + delay, kind: 'deployment' };
    }
    if (this.crashPeriod) {
      const offset = this.crashOffset(slot);
      const at =
        floor((time + offset) / this.crashPeriod) * this.crashPeriod - offset;
      if (at > best.at && at >= this.crashSince) best = { at, kind: 'crash' };
    }
    return best;
  }

  active(slot: number, bucket: number): boolean {
    return slot < this.traffic.desired(this.service, bucket);
  }

  /** Start of the run of active buckets containing `time`, no earlier than `earliest`. */
  private activeSince(slot: number, time: number, earliest: number): number {
    if (slot < this.service.min) return -Infinity;
    let bucket = bucketOf(time);
    while (bucketStart(bucket) > earliest && this.active(slot, bucket - 1)) {
      bucket--;
    }
    return bucketStart(bucket);
  }

  private run(slot: number, time: number): TaskRun {
    const boundary = this.lastBoundary(slot, time);
    const since = this.activeSince(slot, time, boundary.at);
    const createdAt = max(boundary.at, since);
    const startDelay =
      (20 + unit(this.seed, this.service.name, slot, createdAt) * 40) * SECOND;
    return {
      service: this.service,
      slot,
      id: hexId(
        32,
        this.seed,
        this.env.name,
        this.service.name,
        slot,
        createdAt,
      ),
      createdAt,
      startedAt: createdAt + floor(startDelay / SECOND) * SECOND,
      revision: this.runningRevision(slot, createdAt),
      deployment: this.deploymentIndex(createdAt),
    };
  }

  /**
   * A time until which `tasksAt` answers as it does at `time`: the same runs
   * for every t in [time, stableUntil(time)). The answer only changes when the
   * time, or the retention horizon an hour earlier, crosses a bucket boundary,
   * a slot's deployment or crash boundary, or a failing rollout's start, end
   * or attempt exit; this is the earliest of those, less a second (the loop
   * in tasksAt compares against times 1 ms before some of them).
   */
  stableUntil(time: number): number {
    const horizon = time - STOPPED_TASK_RETENTION;
    let next = bucketStart(bucketOf(time) + 1);
    const consider = (candidate: number) => {
      if (candidate > time && candidate < next) next = candidate;
    };
    for (const at of [time, horizon]) {
      const shift = time - at;
      for (let slot = 0; slot < this.service.max; slot++) {
        if (!this.service.deployment.fails) {
          const delay = this.slotDelay(slot);
          const index = this.deploymentIndex(at - delay);
          consider(this.deploymentStart(index + 1) + delay + shift);
        }
        if (this.crashPeriod) {
          const offset = this.crashOffset(slot);
          const period = this.crashPeriod;
          // The next crash boundary after `at`, none before crashSince.
          const after = Math.max(at, this.crashSince - 1);
          consider(
            (floor((after + offset) / period) + 1) * period - offset + shift,
          );
        }
      }
    }
    if (this.service.deployment.fails) {
      const first = this.deploymentIndex(horizon - this.rollout);
      for (
        let index = first;
        index <= this.deploymentIndex(time) + 1;
        index++
      ) {
        const start = this.deploymentStart(index);
        const changes = [
          start,
          start + this.rollout,
          ...this.failedAttemptTimes(index, Infinity).map(
            createdAt => createdAt + FAILED_ATTEMPT_LIFETIME,
          ),
        ];
        for (const change of changes) {
          consider(change);
          consider(change + STOPPED_TASK_RETENTION);
          consider(change + STOPPED_TASK_RETENTION + this.rollout);
        }
      }
    }
    return next - SECOND;
  }

  /** The current task of each slot and the tasks stopped in the last hour. */
  tasksAt(time: number): TaskRun[] {
    const out: TaskRun[] = [];
    const horizon = time - STOPPED_TASK_RETENTION;
    for (let slot = 0; slot < this.service.max; slot++) {
      let cursor = time;
      let pendingStop: { at: number; kind: StopKind } | undefined;
      while (cursor > horizon) {
        const bucket = bucketOf(cursor);
        if (this.active(slot, bucket)) {
          const run = this.run(slot, cursor);
          if (pendingStop) {
            run.stoppedAt = pendingStop.at;
            run.stopKind = pendingStop.kind;
          }
          out.push(run);
          const boundary = this.lastBoundary(slot, cursor);
          pendingStop = {
            at: run.createdAt,
            kind: run.createdAt === boundary.at ? boundary.kind : 'scaleIn',
          };
          cursor = run.createdAt - 1;
          if (pendingStop.kind === 'scaleIn') {
            // The slot was idle before this run: look for the previous run.
            let idle = bucketOf(cursor);
            while (bucketStart(idle) > horizon && !this.active(slot, idle))
              idle--;
            if (!this.active(slot, idle)) break;
            pendingStop = { at: bucketStart(idle + 1), kind: 'scaleIn' };
            cursor = pendingStop.at - 1;
          }
        } else {
          let idle = bucket;
          while (bucketStart(idle) > horizon && !this.active(slot, idle))
            idle--;
          if (!this.active(slot, idle)) break;
          pendingStop = { at: bucketStart(idle + 1), kind: 'scaleIn' };
          cursor = pendingStop.at - 1;
        }
      }
    }
    out.push(...this.failedAttempts(time));
    return out.filter(
      run => run.stoppedAt === undefined || run.stoppedAt > horizon,
    );
  }

  /** Creation times of the new revision's tasks in failing rollout `index`, stopped by `until`. */
  failedAttemptTimes(index: number, until: number): number[] {
    const start = this.deploymentStart(index);
    const end = start + this.rollout;
    const times: number[] = [];
    // each attempt exits before the circuit breaker trips at the end of the rollout
    for (
      let at = start + 30 * SECOND;
      at + FAILED_ATTEMPT_LIFETIME <= end;
      at += FAILED_ATTEMPT_EVERY
    ) {
      if (at + FAILED_ATTEMPT_LIFETIME > until) break;
      times.push(at);
    }
    return times;
  }

  /** Tasks of failing rollouts that exited within the last hour. */
  private failedAttempts(time: number): TaskRun[] {
    if (!this.service.deployment.fails) return [];
    const runs: TaskRun[] = [];
    const first = this.deploymentIndex(
      time - STOPPED_TASK_RETENTION - this.rollout,
    );
    for (let index = first; index <= this.deploymentIndex(time); index++) {
      this.failedAttemptTimes(index, time).forEach((createdAt, attempt) => {
        runs.push({
          service: this.service,
          slot: this.service.max + attempt,
          id: hexId(
            32,
            this.seed,
            this.env.name,
            this.service.name,
            'attempt',
            index,
            attempt,
          ),
          createdAt,
          startedAt: createdAt + 20 * SECOND,
          stoppedAt: createdAt + FAILED_ATTEMPT_LIFETIME,
          stopKind: 'failedStart',
          revision: this.revision(index),
          deployment: index,
        });
      });
    }
    return runs;
  }
}
