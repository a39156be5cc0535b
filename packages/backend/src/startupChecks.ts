import { Config } from '@backstage/config';

/** The environment variables app-config.production.yaml reads the database from. */
const postgresEnvironment: Record<string, string> = {
  host: 'POSTGRES_HOST',
  port: 'POSTGRES_PORT',
  user: 'POSTGRES_USER',
  password: 'POSTGRES_PASSWORD',
};

/**
 * Checks the settings that Backstage would otherwise only trip over later, deep
 * in a plugin's start, with a message that names neither the key nor the
 * variable to set. Throws an Error naming every missing key.
 */
export function checkStartupConfig(config: Config): void {
  const problems: string[] = [];
  const client = config.getOptionalString('backend.database.client');
  if (client === 'pg') {
    let connection: unknown;
    try {
      connection = config.get('backend.database.connection');
    } catch {
      connection = undefined;
    }
    if (typeof connection === 'string') {
      // A connection string carries everything itself.
    } else {
      const fields = (connection ?? {}) as Record<string, unknown>;
      for (const field of ['host', 'user', 'password']) {
        const value = fields[field];
        if (value === undefined || value === '') {
          problems.push(
            `backend.database.connection.${field} is missing (app-config.production.yaml reads it from ${postgresEnvironment[field]})`,
          );
        }
      }
    }
  }
  if (config.getOptionalString('backend.cache.store') === 'redis') {
    if (!config.getOptionalString('backend.cache.connection')) {
      problems.push(
        'backend.cache.connection is missing (app-config.production.yaml reads it from REDIS_URL)',
      );
    }
  }
  const guestProblem = checkGuestSignInIsLocal(config);
  if (guestProblem) problems.push(guestProblem);
  if (problems.length) {
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
}

const LOOPBACK_HOSTS = ['127.0.0.1', '::1', 'localhost'];

/**
 * Guest sign-in gives a token to anyone who asks: it is only safe when no one
 * else can ask, i.e. when the backend listens on the loopback interface.
 */
function checkGuestSignInIsLocal(config: Config): string | undefined {
  const guest = config.getOptionalConfig('auth.providers.guest');
  if (!guest) return undefined;
  const guestWorks =
    config.getOptionalString('auth.environment') === 'development' ||
    guest.getOptionalBoolean('dangerouslyAllowOutsideDevelopment') === true;
  const host = config.getOptionalString('backend.listen.host') ?? '';
  if (!guestWorks || LOOPBACK_HOSTS.includes(host)) return undefined;
  return `auth.providers.guest is configured and backend.listen.host is ${
    host ? `'${host}'` : 'not set (every interface)'
  }: anyone who can reach this machine would get a guest token. Set backend.listen.host to 127.0.0.1, or replace guest sign-in with an identity provider`;
}
