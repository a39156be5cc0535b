import { FaultEngine } from './faults';
import type { Scenario } from './scenario/schema';
import { SandboxClock } from './world/clock';
import { SandboxWorld, simulationTime } from './world/simulation';

export interface ClockOptions {
  /** Simulated start time; default the scenario's startTime, else now. */
  start?: Date | number | string;
  /** Simulated milliseconds per real millisecond; 0 freezes time. */
  speed?: number;
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
      environments: this.world.environments.map(env => ({
        name: env.spec.name,
        account: env.spec.account,
        region: env.spec.region,
        cluster: env.spec.cluster,
        services: env.spec.services.map(service => ({
          name: service.name,
          desired: env.desired(service, now),
          running: env.runningTasks(service.name, now).length,
        })),
      })),
    };
  }
}
