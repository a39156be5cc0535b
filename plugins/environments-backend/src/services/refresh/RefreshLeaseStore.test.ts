import { DatabaseService } from '@backstage/backend-plugin-api';
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { RefreshLeaseStore } from './RefreshLeaseStore';

// SQLite always; PostgreSQL 15 too when
// BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING names a server.
const databases = TestDatabases.create({
  ids: ['POSTGRES_15', 'SQLITE_3'],
  disableDocker: true,
});

async function createStore(id: TestDatabaseId) {
  const knex = await databases.init(id);
  const database: DatabaseService = { getClient: async () => knex };
  return RefreshLeaseStore.create({ database });
}

const sleep = (ms: number) => new Promise<void>(r => setTimeout(r, ms));

describe.each(databases.eachSupportedId())(
  'RefreshLeaseStore on %s',
  databaseId => {
    it('gives the lease to one replica and renews it for that one only', async () => {
      const store = await createStore(databaseId);
      const first = await store.hold('a', 10_000);
      expect(first).toBeDefined();
      expect(first!.expiresAtMs - first!.nowMs).toBeGreaterThan(9_000);
      expect(first!.expiresAtMs - first!.nowMs).toBeLessThanOrEqual(10_000);
      expect(first!.refreshStartedAtMs).toBeUndefined();

      expect(await store.hold('b', 10_000)).toBeUndefined();
      const renewed = await store.hold('a', 10_000);
      expect(renewed!.expiresAtMs).toBeGreaterThanOrEqual(first!.expiresAtMs);
      expect(await store.holder()).toBe('a');
    });

    it('lets another replica take the lease once it has expired', async () => {
      const store = await createStore(databaseId);
      expect(await store.hold('a', 150)).toBeDefined();
      expect(await store.hold('b', 150)).toBeUndefined();
      await sleep(250);
      expect(await store.holder()).toBeUndefined();
      expect(await store.hold('b', 10_000)).toBeDefined();
      expect(await store.holder()).toBe('b');
      expect(await store.hold('a', 10_000)).toBeUndefined();
    });

    it('gives the lease to exactly one of many replicas asking at once', async () => {
      const store = await createStore(databaseId);
      const replicas = Array.from({ length: 8 }, (_, i) => `replica-${i}`);
      const answers = await Promise.all(
        replicas.map(holder => store.hold(holder, 10_000)),
      );
      expect(answers.filter(Boolean)).toHaveLength(1);
      const winner = replicas[answers.findIndex(Boolean)];
      expect(await store.holder()).toBe(winner);
    });

    it('records the refresh of the holder only, and shows an unfinished one to the next holder', async () => {
      const store = await createStore(databaseId);
      await store.hold('a', 200);
      expect(await store.recordRefreshStart('b')).toBe(false);
      expect(await store.recordRefreshStart('a')).toBe(true);
      expect(await store.recordRefreshEnd('a')).toBe(true);
      await sleep(5);
      expect(await store.recordRefreshStart('a')).toBe(true);
      // a dies during its second refresh; b takes over once the lease expires.
      await sleep(300);
      expect(await store.recordRefreshEnd('a')).toBe(false);
      const taken = await store.hold('b', 10_000);
      expect(taken!.refreshStartedAtMs).toBeGreaterThan(
        taken!.refreshEndedAtMs!,
      );
      expect(taken!.nowMs - taken!.refreshStartedAtMs!).toBeGreaterThanOrEqual(
        250,
      );
    });

    it('frees a released lease at once', async () => {
      const store = await createStore(databaseId);
      await store.hold('a', 60_000);
      await store.release('b');
      expect(await store.hold('b', 60_000)).toBeUndefined();
      await store.release('a');
      expect(await store.holder()).toBeUndefined();
      expect(await store.hold('b', 60_000)).toBeDefined();
    });
  },
);
