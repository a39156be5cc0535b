import { mockServices } from '@backstage/backend-test-utils';
import { EnvironmentRun } from '@kler/plugin-environments-common';
import { RunHistory } from './RunHistory';

function runOf(id: string): EnvironmentRun {
  return {
    id,
    environment: 'production',
    kind: 'apply',
    source: 'portal',
    outcome: 'failed',
    actor: 'user:default/alice',
    reportedBy: 'plugin:scaffolder',
    at: '2026-12-01T10:00:00.000Z',
  };
}

function setup(reuseMs = 5_000) {
  let time = 1_000_000;
  const store = {
    add: jest.fn(async () => runOf('2')),
    list: jest.fn(async () => [runOf('1')]),
    latestOfEachKind: jest.fn(
      async () => new Map([['production', [runOf('1')]]]),
    ),
  };
  const logger = mockServices.logger.mock();
  const history = new RunHistory({
    store,
    logger,
    reuseMs,
    now: () => time,
  });
  return {
    history,
    store,
    logger,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

describe('RunHistory', () => {
  it('reuses the latest runs for a few seconds, sharing one read', async () => {
    const { history, store, advance } = setup();
    const [first, second] = await Promise.all([
      history.latestRuns(),
      history.latestRuns(),
    ]);
    expect(second).toBe(first);
    advance(4_999);
    await history.latestRuns();
    expect(store.latestOfEachKind).toHaveBeenCalledTimes(1);
    advance(1);
    await history.latestRuns();
    expect(store.latestOfEachKind).toHaveBeenCalledTimes(2);
  });

  it('reads again at once after recording a run, with the time of the report', async () => {
    const { history, store } = setup();
    await history.latestRuns();
    await history.record(
      'production',
      { kind: 'apply', source: 'portal', outcome: 'failed' },
      'plugin:scaffolder',
    );
    expect(store.add).toHaveBeenCalledWith({
      environment: 'production',
      report: { kind: 'apply', source: 'portal', outcome: 'failed' },
      reportedBy: 'plugin:scaffolder',
      recordedAt: new Date(1_000_000),
    });
    await history.latestRuns();
    expect(store.latestOfEachKind).toHaveBeenCalledTimes(2);
  });

  it('serves the last good runs while the database fails, and tries again next time', async () => {
    const { history, store, logger } = setup();
    const good = await history.latestRuns();
    store.latestOfEachKind.mockRejectedValueOnce(new Error('connection lost'));
    await history.record(
      'production',
      { kind: 'plan', source: 'portal', outcome: 'succeeded' },
      'plugin:scaffolder',
    );
    await expect(history.latestRuns()).resolves.toBe(good);
    expect(logger.warn).toHaveBeenCalledWith(
      'Could not read the latest runs of the environments: Error: connection lost',
    );
    await history.latestRuns();
    expect(store.latestOfEachKind).toHaveBeenCalledTimes(3);
  });

  it('reads every time when reuse is off', async () => {
    const { history, store } = setup(0);
    await history.latestRuns();
    await history.latestRuns();
    expect(store.latestOfEachKind).toHaveBeenCalledTimes(2);
  });
});
