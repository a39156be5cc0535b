import { loadScenarioFile, parseScenario } from '../scenario/load';
import type { ScenarioInput } from '../scenario/schema';
import { KLER_SCENARIO, PEAK } from '../testUtils';
import { SandboxWorld } from './simulation';
import type { TaskRun } from './tasks';
import { HOUR, MINUTE, SECOND } from './time';

/** Everything a run carries, as one comparable string. */
function describeRuns(runs: TaskRun[]): string {
  return runs
    .map(
      run =>
        `${run.service.name}/${run.slot}/${run.id}/${run.createdAt}/${run.startedAt}/${run.stoppedAt}/${run.stopKind}/${run.revision}/${run.deployment}`,
    )
    .join('\n');
}

/** Crashes every 7.5 minutes, fails fast rollouts, scales with traffic. */
const BUSY: ScenarioInput = {
  seed: 'busy',
  accounts: [{ id: '444444444444', name: 'busy' }],
  environments: [
    {
      name: 'busy',
      account: '444444444444',
      cluster: 'busy',
      vault: 'busy',
      capacityProviders: [
        {
          name: 'busy-ec2',
          autoScalingGroup: { name: 'busy', min: 1, max: 9 },
        },
      ],
      services: [
        {
          name: 'crashing',
          min: 1,
          max: 6,
          traffic: 1.3,
          crash: { everyMinutes: 7.5 },
          deployment: { everyHours: 1.5, rolloutMinutes: 4 },
        },
        {
          name: 'failing',
          min: 2,
          max: 4,
          deployment: { everyHours: 0.75, rolloutMinutes: 9, fails: true },
        },
        { name: 'idle', min: 0, max: 3, traffic: 0.4 },
        {
          name: 'late',
          min: 2,
          max: 2,
          crash: { everyMinutes: 5, since: PEAK },
        },
      ],
    },
  ],
};

describe('task runs reused while the schedule says they hold', () => {
  const scenarios = {
    kler: loadScenarioFile(KLER_SCENARIO),
    busy: parseScenario(BUSY),
  };

  it.each(Object.keys(scenarios) as Array<keyof typeof scenarios>)(
    '%s: a moving clock sees exactly what a fresh computation sees',
    name => {
      const world = new SandboxWorld(scenarios[name]);
      const fresh = new SandboxWorld(scenarios[name]);
      let computed = 0;
      let steps = 0;
      // 17-second steps over half a day, across deployments, crashes and scaling
      for (
        let time = Date.parse(PEAK) - 6 * HOUR;
        time < Date.parse(PEAK) + 6 * HOUR;
        time += 17 * SECOND
      ) {
        steps++;
        for (const env of world.environments) {
          const reference = fresh.byName(env.spec.name)!;
          for (const [service, schedule] of reference.schedules) {
            const before = env.serviceTasks(service, time);
            const expected = describeRuns(schedule.tasksAt(time));
            if (describeRuns(before) !== expected) {
              throw new Error(
                `${env.spec.name}/${service} at ${new Date(
                  time,
                ).toISOString()}:\n${describeRuns(before)}\n!==\n${expected}`,
              );
            }
          }
          const index = env.tasks(time);
          if (index.time === time) computed++;
          expect(index.runs.map(run => run.id)).toEqual(
            [...reference.schedules.values()]
              .flatMap(schedule => schedule.tasksAt(time))
              .map(run => run.id)
              .sort(),
          );
        }
      }
      // the point of it: most steps reuse the cluster's index
      expect(computed).toBeLessThan(steps * 0.6);
    },
  );

  it('holds up to the last millisecond of each window', () => {
    const world = new SandboxWorld(scenarios.busy);
    for (const schedule of world.environments[0].schedules.values()) {
      for (
        let time = Date.parse(PEAK);
        time < Date.parse(PEAK) + 6 * HOUR;
        time += 41 * SECOND
      ) {
        const until = schedule.stableUntil(time);
        expect(until).toBeLessThanOrEqual(time + 5 * MINUTE);
        if (until <= time) continue;
        const expected = describeRuns(schedule.tasksAt(time));
        for (const probe of [until - 1, (time + until) / 2]) {
          expect(describeRuns(schedule.tasksAt(probe))).toBe(expected);
        }
      }
    }
  });
});

describe('crashes from a point in time', () => {
  it('runs clean before crash.since and crashes after it', () => {
    const world = new SandboxWorld(parseScenario(BUSY));
    const env = world.environments[0];
    const crashStops = (time: number) =>
      env.serviceTasks('late', time).filter(run => run.stopKind === 'crash')
        .length;
    expect(crashStops(Date.parse(PEAK) - MINUTE)).toBe(0);
    expect(crashStops(Date.parse(PEAK))).toBe(0);
    expect(crashStops(Date.parse(PEAK) + 6 * MINUTE)).toBeGreaterThan(0);
  });
});
