import { ConfigReader } from '@backstage/config';
import { checkStartupConfig } from './startupChecks';

describe('checkStartupConfig', () => {
  it('accepts the local SQLite setup', () => {
    const config = new ConfigReader({
      backend: {
        database: { client: 'better-sqlite3', connection: ':memory:' },
      },
    });
    expect(() => checkStartupConfig(config)).not.toThrow();
  });

  it('accepts a complete PostgreSQL connection', () => {
    const config = new ConfigReader({
      backend: {
        database: {
          client: 'pg',
          connection: { host: 'db', port: 5432, user: 'kler', password: 'x' },
        },
      },
    });
    expect(() => checkStartupConfig(config)).not.toThrow();
  });

  it('accepts a PostgreSQL connection string', () => {
    const config = new ConfigReader({
      backend: { database: { client: 'pg', connection: 'postgres://db/kler' } },
    });
    expect(() => checkStartupConfig(config)).not.toThrow();
  });

  it('names the missing host and the variable that sets it', () => {
    const config = new ConfigReader({
      backend: {
        database: { client: 'pg', connection: { user: 'kler', password: 'x' } },
      },
    });
    expect(() => checkStartupConfig(config)).toThrow(
      'backend.database.connection.host is missing (app-config.production.yaml reads it from POSTGRES_HOST)',
    );
  });

  it('names every missing key at once', () => {
    const config = new ConfigReader({
      backend: {
        database: { client: 'pg', connection: {} },
        cache: { store: 'redis' },
      },
    });
    expect(() => checkStartupConfig(config)).toThrow(
      /connection\.host is missing.*connection\.user is missing.*connection\.password is missing.*backend\.cache\.connection is missing/,
    );
  });
});
