import type {
  EnvironmentSpec,
  Scenario,
  ServiceSpec,
} from '../scenario/schema';
import type { AlarmState } from './alarms';
import type { TargetCounts } from './health';
import { BoundedMemo } from './memo';
import { EnvironmentNames } from './names';
import { ServiceSchedule, TaskRun } from './tasks';
import { TrafficModel } from './traffic';
import { bucketOf, SECOND } from './time';

/** A service's ELBv2 target group, attached to the environment's load balancer. */
export interface TargetGroupEntry {
  service: ServiceSpec;
  name: string;
  arn: string;
}

/** Runs of one service, the same for every time in [time, until). */
interface ServiceRuns {
  time: number;
  until: number;
  runs: TaskRun[];
}

export interface TaskIndex {
  /** The index holds for every time in [time, until). */
  time: number;
  until: number;
  /** Sorted by task id, as ListTasks pages them. */
  runs: TaskRun[];
  /** `runs` without the stopped tasks, and the stopped ones, still by id. */
  notStopped: TaskRun[];
  stopped: TaskRun[];
  byId: Map<string, TaskRun>;
  byService: Map<string, TaskRun[]>;
}

/** Everything the sandbox knows about one environment at a given time. */
export class EnvironmentWorld {
  readonly names: EnvironmentNames;
  readonly traffic: TrafficModel;
  readonly schedules: Map<string, ServiceSchedule>;
  private cachedTasks?: TaskIndex;
  private readonly runsByService = new Map<string, ServiceRuns>();
  private readonly serviceIndex: Map<ServiceSpec, number>;
  private targetGroupIndex?: Map<string, TargetGroupEntry>;
  /** Alarm states by alarm name and 5-minute bucket. */
  readonly alarmStates = new BoundedMemo<AlarmState>(20_000);
  /** Healthy and unhealthy targets per target group and minute. */
  readonly targetCounts = new BoundedMemo<TargetCounts>(200_000);
  /** Desired-count changes per service over a day's window (scaling activities). */
  readonly desiredCountChanges = new BoundedMemo<
    Array<{ bucket: number; desired: number; previous: number }>
  >(20_000);
  /** Ids hashed from names (deployments, subnets, events), by what they name. */
  readonly derivedIds = new BoundedMemo<string>(100_000);
  /** Wire shapes of tasks, by what the shape depends on (see taskShape). */
  readonly taskShapes = new BoundedMemo<object>(50_000);

  constructor(readonly seed: string, readonly spec: EnvironmentSpec) {
    this.names = new EnvironmentNames(seed, spec);
    this.traffic = new TrafficModel(seed, spec);
    this.serviceIndex = new Map(
      spec.services.map((service, i) => [service, i]),
    );
    this.schedules = new Map(
      spec.services.map(service => [
        service.name,
        new ServiceSchedule(seed, spec, service, this.traffic),
      ]),
    );
  }

  service(name: string): ServiceSpec | undefined {
    return this.schedules.get(name)?.service;
  }

  desired(service: ServiceSpec, time: number): number {
    return this.traffic.desired(service, bucketOf(time));
  }

  /** Tasks of the cluster: running ones plus those stopped in the last hour. */
  tasks(time: number): TaskIndex {
    const cached = this.cachedTasks;
    if (cached && cached.time <= time && time < cached.until) return cached;
    const runs: TaskRun[] = [];
    const byService = new Map<string, TaskRun[]>();
    let until = Infinity;
    for (const name of this.schedules.keys()) {
      const entry = this.serviceRuns(name, time)!;
      byService.set(name, entry.runs);
      runs.push(...entry.runs);
      if (entry.until < until) until = entry.until;
    }
    runs.sort((a, b) => (a.id < b.id ? -1 : 1));
    this.cachedTasks = {
      time,
      until,
      runs,
      notStopped: runs.filter(run => run.stoppedAt === undefined),
      stopped: runs.filter(run => run.stoppedAt !== undefined),
      byId: new Map(runs.map(r => [r.id, r])),
      byService,
    };
    return this.cachedTasks;
  }

  /**
   * A service's runs at `time`, reused while the schedule says they stay the
   * same: with a moving clock, most seconds change no service's tasks.
   */
  private serviceRuns(name: string, time: number): ServiceRuns | undefined {
    const cached = this.runsByService.get(name);
    if (cached && cached.time <= time && time < cached.until) return cached;
    const schedule = this.schedules.get(name);
    if (!schedule) return undefined;
    const entry = {
      time,
      until: schedule.stableUntil(time),
      runs: schedule.tasksAt(time),
    };
    this.runsByService.set(name, entry);
    return entry;
  }

  /** Tasks of one service: running ones plus those stopped in the last hour. */
  serviceTasks(service: string, time: number): TaskRun[] {
    return this.serviceRuns(service, time)?.runs ?? [];
  }

  /** The services' target groups by ARN, in scenario order. */
  targetGroups(): Map<string, TargetGroupEntry> {
    if (!this.targetGroupIndex) {
      this.targetGroupIndex = new Map();
      for (const service of this.spec.services) {
        if (!service.targetGroup) continue;
        const arn = this.names.targetGroupArn(service.targetGroup);
        this.targetGroupIndex.set(arn, {
          service,
          name: service.targetGroup,
          arn,
        });
      }
    }
    return this.targetGroupIndex;
  }

  runningTasks(service: string, time: number): TaskRun[] {
    return this.serviceTasks(service, time).filter(
      run => run.stoppedAt === undefined && run.startedAt <= time,
    );
  }

  taskIp(run: TaskRun): string {
    const index = this.serviceIndex.get(run.service) ?? 0;
    const n = (index * 64 + run.slot) % 65000;
    return `10.${this.spec.account.endsWith('1') ? 1 : 2}.${Math.floor(
      n / 250,
    )}.${(n % 250) + 4}`;
  }

  /** The zone of a task slot: the service's zones when it names some, else the environment's. */
  availabilityZone(slot: number, service?: ServiceSpec): string {
    const zones = service?.availabilityZones ?? this.spec.availabilityZones;
    return zones[slot % zones.length];
  }
}

/**
 * The scenario's world: environments looked up by account, region and name.
 * The admin API adds environments to it while it runs; they live by the same
 * clock and seed as the scenario's own.
 */
export class SandboxWorld {
  readonly environments: EnvironmentWorld[];

  constructor(readonly scenario: Scenario) {
    this.environments = scenario.environments.map(
      env => new EnvironmentWorld(scenario.seed, env),
    );
  }

  /** Adds an environment, checked beforehand (parseEnvironment). */
  add(spec: EnvironmentSpec): EnvironmentWorld {
    const world = new EnvironmentWorld(this.scenario.seed, spec);
    this.environments.push(world);
    return world;
  }

  /** Whether the environment is one of the scenario's, not added later. */
  isScenarioEnvironment(name: string): boolean {
    return this.scenario.environments.some(env => env.name === name);
  }

  /** Removes an added environment; the scenario's stay. */
  remove(name: string): boolean {
    const index = this.environments.findIndex(e => e.spec.name === name);
    if (index === -1 || this.isScenarioEnvironment(name)) return false;
    this.environments.splice(index, 1);
    return true;
  }

  /** Back to the scenario's environments alone. */
  removeAdded(): void {
    for (const env of [...this.environments]) this.remove(env.spec.name);
  }

  /** Environments living in this account and region. */
  in(account: string, region: string): EnvironmentWorld[] {
    return this.environments.filter(
      e => e.spec.account === account && e.spec.region === region,
    );
  }

  byCluster(account: string, region: string, cluster: string) {
    const name = cluster.includes(':cluster/')
      ? cluster.split(':cluster/')[1]
      : cluster;
    return this.in(account, region).find(e => e.spec.cluster === name);
  }

  byVault(account: string, region: string, vault: string) {
    return this.in(account, region).find(e => e.spec.vault === vault);
  }

  byName(name: string) {
    return this.environments.find(e => e.spec.name === name);
  }
}

/** Times are evaluated at whole seconds so one clock reading gives one answer. */
export function simulationTime(now: number): number {
  return Math.floor(now / SECOND) * SECOND;
}
