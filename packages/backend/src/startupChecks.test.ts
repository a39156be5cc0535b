import { ConfigReader } from '@backstage/config';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { checkStartupConfig } from './startupChecks';

const REPOSITORY_ROOT = path.resolve(
  // Tests always run from source, where __dirname is this folder.
  // eslint-disable-next-line no-restricted-syntax
  __dirname,
  '../../..',
);

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

  describe('guest sign-in', () => {
    const guest = (listen: object, environment = 'development') =>
      new ConfigReader({
        backend: { listen },
        auth: {
          environment,
          providers: { guest: { userEntityRef: 'user:default/guest' } },
        },
      });

    it.each(['127.0.0.1', '::1', 'localhost'])(
      'is accepted on the loopback interface (%s)',
      host => {
        expect(() =>
          checkStartupConfig(guest({ host, port: 7007 })),
        ).not.toThrow();
      },
    );

    it.each([
      [{ port: 7007 }, 'not set (every interface)'],
      [{ host: '0.0.0.0', port: 7007 }, "'0.0.0.0'"],
      [{ host: '10.0.4.17', port: 7007 }, "'10.0.4.17'"],
    ])(
      'is refused when anyone else can reach the backend (%j)',
      (listen, shown) => {
        expect(() => checkStartupConfig(guest(listen))).toThrow(
          `auth.providers.guest is configured and backend.listen.host is ${shown}: anyone who can reach this machine would get a guest token`,
        );
      },
    );

    it('does not matter where guests are refused anyway (production)', () => {
      expect(() =>
        checkStartupConfig(guest({ host: '0.0.0.0' }, 'production')),
      ).not.toThrow();
    });
  });

  it("accepts the repository's own configs: local on loopback, production explicit", () => {
    const read = (file: string) =>
      yaml.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, file), 'utf8'));
    const local = read('app-config.yaml');
    expect(local.backend.listen.host).toBe('127.0.0.1');
    expect(() => checkStartupConfig(new ConfigReader(local))).not.toThrow();
    expect(read('app-config.production.yaml').backend.listen.host).toBe(
      '0.0.0.0',
    );
  });
});
