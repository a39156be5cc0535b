import { isDeepStrictEqual } from 'node:util';
import { FaultEngine } from './faults';
import { parseEnvironment } from './scenario/load';
import type { EnvironmentSpec, Scenario } from './scenario/schema';
import { SandboxClock } from './world/clock';
import { SandboxWorld, simulationTime } from './world/simulation';

export interface ClockOptions {
  /** Simulated start time; default the scenario's startTime, else now. */
  start?: Date | number | string;
  /** Simulated milliseconds per real millisecond; 0 freezes time. */
  speed?: number;
}

/** An environment added through the admin API clashes with one the sandbox holds. */
export class EnvironmentConflictError extends Error {
  name = 'EnvironmentConflictError';
}

/** Where an environment of the sandbox comes from. */
export type EnvironmentOrigin = 'scenario' | 'admin';

/** One environment as `GET /_sandbox/state` shows it. */
export interface SandboxEnvironmentState {
  name: string;
  account: string;
  region: string;
  cluster: string;
  origin: EnvironmentOrigin;
  /** Desired and running tasks per service now. */
  services: Array<{ name: string; desired: number; running: number }>;
}

/** The sandbox's state: the scenario's world, its clock, faults and sessions. */
export class Sandbox {
  readonly world: SandboxWorld;
  readonly clock: SandboxClock;
  readonly faults: FaultEngine;
  readonly sessions = new Map<
    string,
    { account: string; arn: string; userId: string }
  >();
  private readonly initialClock: { start?: number; speed: number };

  /** Told the added environments whenever they change (the environments file). */
  onEnvironmentsChanged?: (added: EnvironmentSpec[]) => void;

  constructor(readonly scenario: Scenario, clock: ClockOptions = {}) {
    this.world = new SandboxWorld(scenario);
    const start = clock.start ?? scenario.startTime;
    this.initialClock = {
      start: start === undefined ? undefined : new Date(start).getTime(),
      speed: clock.speed ?? 1,
    };
    this.clock = new SandboxClock(this.initialClock);
    this.faults = new FaultEngine(scenario.faults, scenario.throttling);
  }

  now(): number {
    return simulationTime(this.clock.now());
  }

  /** Account an access key acts in: the 12-digit id it contains, else the first. */
  accountFor(accessKeyId: string | undefined): string {
    const session = accessKeyId ? this.sessions.get(accessKeyId) : undefined;
    if (session) return session.account;
    const match = /\d{12}/.exec(accessKeyId ?? '');
    return match ? match[0] : this.scenario.accounts[0].id;
  }

  reset(): void {
    this.clock.set({
      time: this.initialClock.start ?? Date.now(),
      speed: this.initialClock.speed,
    });
    this.faults.replace(this.scenario.faults);
    this.faults.setThrottling(this.scenario.throttling);
    this.sessions.clear();
    if (this.addedEnvironments().length) {
      this.world.removeAdded();
      this.onEnvironmentsChanged?.([]);
    }
  }

  /** The environments added through the admin API, in the order added. */
  addedEnvironments(): EnvironmentSpec[] {
    return this.world.environments
      .map(env => env.spec)
      .filter(spec => !this.world.isScenarioEnvironment(spec.name));
  }

  /** Removes an added environment; false for an unknown or scenario one. */
  removeEnvironment(name: string): boolean {
    const removed = this.world.remove(name);
    if (removed) this.onEnvironmentsChanged?.(this.addedEnvironments());
    return removed;
  }

  /**
   * Adds an environment (scenario format) to the living world. Posting the
   * same environment again changes nothing (`created: false`), so a retried
   * request is harmless; a different one under a name the sandbox holds is an
   * EnvironmentConflictError, as is a clash of cluster, vault or target group
   * names. A bad environment is a ScenarioError naming each bad key.
   */
  addEnvironment(input: unknown): {
    environment: SandboxEnvironmentState;
    created: boolean;
  } {
    const name = (input as { name?: unknown } | null)?.name;
    const known =
      typeof name === 'string' ? this.world.byName(name) : undefined;
    if (known && this.world.isScenarioEnvironment(known.spec.name)) {
      throw new EnvironmentConflictError(
        `The sandbox already has a different environment ${known.spec.name} (from the scenario)`,
      );
    }
    const others = this.world.environments
      .filter(env => env !== known)
      .map(env => env.spec);
    const spec = parseEnvironment(input, this.scenario, others);
    if (known) {
      if (!isDeepStrictEqual(known.spec, spec)) {
        throw new EnvironmentConflictError(
          `The sandbox already has a different environment ${spec.name}; remove it first`,
        );
      }
      return { environment: this.environmentState(spec), created: false };
    }
    this.world.add(spec);
    this.onEnvironmentsChanged?.(this.addedEnvironments());
    return { environment: this.environmentState(spec), created: true };
  }

  /** The environments, the scenario's first, with where each comes from. */
  environments() {
    return this.world.environments.map(env => ({
      name: env.spec.name,
      account: env.spec.account,
      region: env.spec.region,
      cluster: env.spec.cluster,
      origin: this.originOf(env.spec.name),
    }));
  }

  private originOf(name: string): EnvironmentOrigin {
    return this.world.isScenarioEnvironment(name) ? 'scenario' : 'admin';
  }

  /** One environment as `state()` shows it. */
  private environmentState(
    spec: EnvironmentSpec,
    now = this.now(),
  ): SandboxEnvironmentState {
    const env = this.world.byName(spec.name)!;
    return {
      name: spec.name,
      account: spec.account,
      region: spec.region,
      cluster: spec.cluster,
      origin: this.originOf(spec.name),
      services: spec.services.map(service => ({
        name: service.name,
        desired: env.desired(service, now),
        running: env.runningTasks(service.name, now).length,
      })),
    };
  }

  /** A summary of what the environments look like now. */
  state() {
    const now = this.now();
    return {
      now: new Date(now).toISOString(),
      speed: this.clock.speed,
      throttling: this.faults.throttling,
      faults: this.faults.list(),
      accounts: this.scenario.accounts,
      environments: this.world.environments.map(env =>
        this.environmentState(env.spec, now),
      ),
    };
  }
}
