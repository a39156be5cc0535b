import {
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { clientConfig, DEVELOPMENT, startKlerSandbox } from '../testUtils';
import { SandboxClock } from './clock';

describe('SandboxClock', () => {
  it('runs from a set time at the chosen speed', () => {
    let real = 1000;
    const clock = new SandboxClock(
      { start: Date.parse('2026-11-26T00:00:00Z'), speed: 60 },
      () => real,
    );
    real += 1000;
    expect(new Date(clock.now()).toISOString()).toBe(
      '2026-11-26T00:01:00.000Z',
    );
    clock.set({ speed: 0 });
    real += 5000;
    expect(new Date(clock.now()).toISOString()).toBe(
      '2026-11-26T00:01:00.000Z',
    );
    clock.set({ time: '2026-11-27T12:00:00Z', speed: 1 });
    real += 2000;
    expect(new Date(clock.now()).toISOString()).toBe(
      '2026-11-27T12:00:02.000Z',
    );
    expect(() => clock.set({ time: 'tomorrow' })).toThrow(
      'Invalid clock time tomorrow',
    );
  });
});

describe('deterministic state', () => {
  async function snapshot(time: string) {
    const sandbox = await startKlerSandbox(time);
    try {
      const ecs = new ECSClient(clientConfig(sandbox.url, DEVELOPMENT));
      const result = [];
      for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
        const { taskArns } = await ecs.send(
          new ListTasksCommand({ cluster: 'kler-development', desiredStatus }),
        );
        const { tasks } = await ecs.send(
          new DescribeTasksCommand({
            cluster: 'kler-development',
            tasks: taskArns,
          }),
        );
        result.push(tasks);
      }
      return result;
    } finally {
      await sandbox.close();
    }
  }

  it('gives the same answers for the same clock, different ones later', async () => {
    const first = await snapshot('2026-11-26T10:00:00Z');
    const second = await snapshot('2026-11-26T10:00:00Z');
    expect(second).toEqual(first);
    expect(first[0]!.length).toBeGreaterThan(0);
    const later = await snapshot('2026-11-26T13:00:00Z');
    expect(later).not.toEqual(first);
  });
});
