import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { RefreshLeaseStore } from './RefreshLeaseStore';
import {
  RefreshLeases,
  RefreshOwnership,
  RefreshOwnershipOptions,
  refreshLeaseTimings,
} from './RefreshOwnership';

const databases = TestDatabases.create({
  ids: ['POSTGRES_15', 'SQLITE_3'],
  disableDocker: true,
});

const sleep = (ms: number) => new Promise<void>(r => setTimeout(r, ms));

/** Short timings, so that a takeover is seen in well under a second. */
const LEASE_MS = 300;
const HEARTBEAT_MS = 100;

async function waitUntil(check: () => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`not reached within ${timeoutMs} ms`);
    }
    await sleep(10);
  }
}

describe('refreshLeaseTimings', () => {
  it('leases for half a refresh interval between 3 and 30 s, renewed three times per lease', () => {
    expect(refreshLeaseTimings(10_000)).toEqual({
      leaseMs: 5_000,
      heartbeatMs: 1_667,
    });
    expect(refreshLeaseTimings(2_000)).toEqual({
      leaseMs: 3_000,
      heartbeatMs: 1_000,
    });
    expect(refreshLeaseTimings(30 * 60_000)).toEqual({
      leaseMs: 30_000,
      heartbeatMs: 10_000,
    });
  });

  it('replaces a dead owner within one refresh interval from 6 s up', () => {
    for (const frequencyMs of [6_000, 10_000, 30_000, 60_000, 3_600_000]) {
      const { leaseMs, heartbeatMs } = refreshLeaseTimings(frequencyMs);
      expect(leaseMs + heartbeatMs).toBeLessThanOrEqual(frequencyMs);
    }
  });
});

describe.each(databases.eachSupportedId())(
  'RefreshOwnership on %s',
  databaseId => {
    let leases: RefreshLeaseStore;
    const started: RefreshOwnership[] = [];

    async function createLeases(id: TestDatabaseId) {
      const knex = await databases.init(id);
      const database: DatabaseService = { getClient: async () => knex };
      return RefreshLeaseStore.create({ database });
    }

    function replica(
      holder: string,
      options: Partial<RefreshOwnershipOptions> = {},
    ) {
      const onTakeover = jest.fn();
      const logger = mockServices.logger.mock();
      const ownership = new RefreshOwnership({
        leases,
        logger,
        frequencyMs: 1_000,
        leaseMs: LEASE_MS,
        heartbeatMs: HEARTBEAT_MS,
        onTakeover,
        holder,
        ...options,
      });
      started.push(ownership);
      return { ownership, onTakeover, logger };
    }

    beforeEach(async () => {
      leases = await createLeases(databaseId);
    });

    afterEach(async () => {
      await Promise.all(started.splice(0).map(o => o.stop()));
    });

    it('lets one replica refresh, not the other', async () => {
      const a = replica('a');
      const b = replica('b');
      const refreshA = jest.fn(async () => {});
      const refreshB = jest.fn(async () => {});

      expect(await a.ownership.runIfOwner(refreshA)).toBe(true);
      expect(await b.ownership.runIfOwner(refreshB)).toBe(false);
      a.ownership.start();
      b.ownership.start();
      await sleep(LEASE_MS * 3);
      expect(await a.ownership.runIfOwner(refreshA)).toBe(true);
      expect(await b.ownership.runIfOwner(refreshB)).toBe(false);

      expect(refreshA).toHaveBeenCalledTimes(2);
      expect(refreshB).not.toHaveBeenCalled();
      expect(b.onTakeover).not.toHaveBeenCalled();
      expect(await leases.holder()).toBe('a');
    });

    it('hands an interrupted refresh to another replica within a lease and a heartbeat', async () => {
      const a = replica('a');
      // a takes the lease, starts a refresh and dies: no heartbeat renews its lease.
      let refreshing = false;
      void a.ownership.runIfOwner(async () => {
        refreshing = true;
        await new Promise(() => {});
      });
      await waitUntil(() => refreshing);
      const diedAt = Date.now();

      const b = replica('b');
      b.onTakeover.mockImplementation(() =>
        b.ownership.runIfOwner(async () => {}),
      );
      b.ownership.start();
      await waitUntil(() => b.onTakeover.mock.calls.length > 0);
      const takeoverMs = Date.now() - diedAt;

      expect(takeoverMs).toBeGreaterThanOrEqual(LEASE_MS - 50);
      expect(takeoverMs).toBeLessThan(LEASE_MS + HEARTBEAT_MS + 400);
      expect(b.ownership.isOwner).toBe(true);
      expect(b.logger.info).toHaveBeenCalledWith(
        expect.stringContaining('a refresh is due, starting it'),
      );
      expect(await leases.holder()).toBe('b');
    });

    it('does not refresh early when the dead owner had refreshed recently', async () => {
      const a = replica('a', { frequencyMs: 60_000 });
      expect(await a.ownership.runIfOwner(async () => {})).toBe(true);
      // a dies between refreshes.
      const b = replica('b', { frequencyMs: 60_000 });
      b.ownership.start();
      await waitUntil(() => b.ownership.isOwner);
      expect(b.onTakeover).not.toHaveBeenCalled();
      // Its own schedule refreshes next.
      expect(await b.ownership.runIfOwner(async () => {})).toBe(true);
    });

    it('hands over within a heartbeat when the owner stops', async () => {
      const a = replica('a');
      a.ownership.start();
      await waitUntil(() => a.ownership.isOwner);
      const b = replica('b');
      b.ownership.start();
      await sleep(HEARTBEAT_MS * 2);
      expect(b.ownership.isOwner).toBe(false);

      const stoppedAt = Date.now();
      await a.ownership.stop();
      await waitUntil(() => b.ownership.isOwner);
      expect(Date.now() - stoppedAt).toBeLessThan(HEARTBEAT_MS + 300);
      expect(await a.ownership.runIfOwner(async () => {})).toBe(false);
    });

    it('keeps the owner when stopped replicas come back', async () => {
      const a = replica('a');
      a.ownership.start();
      await waitUntil(() => a.ownership.isOwner);
      const comebacks = ['b', 'c', 'd'].map(holder => replica(holder));
      for (const comeback of comebacks) {
        comeback.ownership.start();
      }
      await sleep(LEASE_MS * 3);
      for (const comeback of comebacks) {
        expect(comeback.ownership.isOwner).toBe(false);
        expect(comeback.onTakeover).not.toHaveBeenCalled();
        expect(await comeback.ownership.runIfOwner(async () => {})).toBe(false);
      }
      expect(a.ownership.isOwner).toBe(true);
      expect(await leases.holder()).toBe('a');
    });

    it('keeps its lease through a refresh longer than the lease', async () => {
      const a = replica('a');
      const b = replica('b');
      a.ownership.start();
      await waitUntil(() => a.ownership.isOwner);
      b.ownership.start();
      const refreshed = await a.ownership.runIfOwner(() => sleep(LEASE_MS * 3));
      expect(refreshed).toBe(true);
      expect(b.ownership.isOwner).toBe(false);
      expect(b.onTakeover).not.toHaveBeenCalled();
    });

    it('runs one refresh at a time in a replica', async () => {
      const a = replica('a');
      let release = () => {};
      const first = a.ownership.runIfOwner(
        () => new Promise<void>(r => (release = r)),
      );
      await sleep(50);
      expect(await a.ownership.runIfOwner(async () => {})).toBe(false);
      release();
      expect(await first).toBe(true);
    });
  },
);

describe('RefreshOwnership without its database', () => {
  it('stops refreshing and warns once while the lease cannot be reached', async () => {
    const failing: RefreshLeases = {
      hold: jest.fn().mockRejectedValue(new Error('connection refused')),
      recordRefreshStart: jest.fn(),
      recordRefreshEnd: jest.fn(),
      release: jest.fn(),
    };
    const logger = mockServices.logger.mock();
    const ownership = new RefreshOwnership({
      leases: failing,
      logger,
      frequencyMs: 1_000,
      leaseMs: LEASE_MS,
      heartbeatMs: HEARTBEAT_MS,
      onTakeover: jest.fn(),
    });
    const refresh = jest.fn(async () => {});
    ownership.start();
    await sleep(HEARTBEAT_MS * 3);
    expect(await ownership.runIfOwner(refresh)).toBe(false);
    await ownership.stop();

    expect(refresh).not.toHaveBeenCalled();
    expect((failing.hold as jest.Mock).mock.calls.length).toBeGreaterThan(2);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('connection refused'),
    );
    expect(failing.release).not.toHaveBeenCalled();
  });

  it('does not refresh, and warns, when the start of a refresh cannot be recorded', async () => {
    const leases: RefreshLeases = {
      hold: jest.fn().mockResolvedValue({
        nowMs: 10_000,
        expiresAtMs: 10_000 + LEASE_MS,
        refreshStartedAtMs: 9_500,
        refreshEndedAtMs: 9_600,
      }),
      recordRefreshStart: jest
        .fn()
        .mockRejectedValue(new Error('connection reset')),
      recordRefreshEnd: jest.fn(),
      release: jest.fn().mockResolvedValue(undefined),
    };
    const logger = mockServices.logger.mock();
    const onTakeover = jest.fn();
    const ownership = new RefreshOwnership({
      leases,
      logger,
      frequencyMs: 1_000,
      leaseMs: LEASE_MS,
      heartbeatMs: HEARTBEAT_MS,
      onTakeover,
    });
    const refresh = jest.fn(async () => {});
    expect(await ownership.runIfOwner(refresh)).toBe(false);
    await ownership.stop();

    expect(refresh).not.toHaveBeenCalled();
    expect(onTakeover).not.toHaveBeenCalled();
    expect(leases.recordRefreshEnd).not.toHaveBeenCalled();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('connection reset'),
    );
    expect(leases.release).toHaveBeenCalledTimes(1);
  });
});
