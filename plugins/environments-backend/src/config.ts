import {
  Config,
  ConfigReader,
  readDurationFromConfig,
} from '@backstage/config';
import { EnvironmentTier } from '@kler/plugin-environments-common';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import {
  DEFAULT_CACHE_SWITCHES,
  READ_PATH_CACHES,
  ReadPathCacheSwitches,
} from './caches/switches';

/** One `environments.environments[]` entry: adds an environment or overrides a catalog one. */
export interface EnvironmentOverride {
  name: string;
  title?: string;
  tier?: EnvironmentTier;
  accountId?: string;
  region?: string;
  cluster?: string;
  backupVault?: string;
  wellArchitectedWorkloadId?: string;
  endpoint?: string;
  /** The config key of the entry, to name it in errors. */
  configKey: string;
}

export interface EnvironmentsOptions {
  environments: EnvironmentOverride[];
  /**
   * The AWS API endpoint of every environment that has none of its own
   * (`environments.defaultEndpoint`), e.g. the local sandbox; AWS otherwise.
   */
  defaultEndpoint?: string;
  refresh: {
    frequency: HumanDuration;
    /** How long configuration read from AWS is reused at most. */
    configurationMaxAgeMs: number;
    /** Bound of one environment's read, and of a request waiting for a first read. */
    timeoutMs: number;
  };
  cache: {
    ttlMs: number;
    /** Which caches of the read path are on. */
    switches: ReadPathCacheSwitches;
  };
  aws: {
    maxAttempts: number;
    retryMode: 'standard' | 'adaptive';
    /** Calls of one operation in flight at once, per account and region. */
    concurrency: number;
    /** Calls of one operation started per second, per account and region. */
    callsPerSecond: number;
    /** Calls of one operation that may start at once after a quiet spell. */
    burst: number;
    timeoutMs: number;
    /** Whether the scaling policies' listing runs on a thread of its own. */
    listingThread: boolean;
  };
}

const TIERS: EnvironmentTier[] = ['development', 'production'];
const ENVIRONMENT_FIELDS = [
  'title',
  'tier',
  'accountId',
  'region',
  'cluster',
  'backupVault',
  'wellArchitectedWorkloadId',
  'endpoint',
] as const;

export const DEFAULTS = {
  refreshFrequency: { seconds: 30 },
  // Configuration (scaling policies, target groups, backup plans, reviews)
  // changes by deployments of code, rarely; health is read every refresh.
  configurationFrequency: { minutes: 10 },
  refreshTimeout: { seconds: 60 },
  cacheTtl: { minutes: 10 },
  awsMaxAttempts: 5,
  // Standard, not adaptive: adaptive mode slows the client itself down after
  // throttling and speeds up again only slowly, so an environment stayed stale
  // for minutes after a throttling storm had ended (found by the fault drills).
  awsRetryMode: 'standard' as const,
  awsConcurrency: 8,
  // AWS throttles each API action per account and region with a token bucket;
  // ECS's read actions refill at 20 a second. Staying under it spares retries.
  awsCallsPerSecond: 20,
  awsBurst: 40,
  awsTimeoutMs: 10_000,
};

function configError(key: string, problem: string): Error {
  return new Error(`Invalid config at ${key}: ${problem}`);
}

function readDuration(
  config: Config,
  key: string,
  fallback: HumanDuration,
): HumanDuration {
  if (!config.has(key)) {
    return fallback;
  }
  let duration: HumanDuration;
  try {
    duration = readDurationFromConfig(config, { key });
  } catch (error) {
    throw configError(
      `environments.${key}`,
      `${
        (error as Error).message
      }; expected a duration such as { seconds: 30 } or 'PT30S'`,
    );
  }
  if (!(durationToMilliseconds(duration) > 0)) {
    throw configError(`environments.${key}`, 'must be longer than zero');
  }
  return duration;
}

function readPositiveInteger(
  config: Config,
  key: string,
  fallback: number,
): number {
  const value = config.getOptionalNumber(key) ?? fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw configError(
      `environments.${key}`,
      `must be a positive integer, got ${value}`,
    );
  }
  return value;
}

function readEnvironmentOverride(
  entry: Config,
  index: number,
): EnvironmentOverride {
  const configKey = `environments.environments[${index}]`;
  const name = entry.getString('name');
  if (!/^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/i.test(name)) {
    throw configError(`${configKey}.name`, `"${name}" is not an entity name`);
  }
  const override: EnvironmentOverride = { name, configKey };
  for (const field of ENVIRONMENT_FIELDS) {
    const value = entry.getOptionalString(field);
    if (value !== undefined) {
      (override as unknown as Record<string, string>)[field] = value;
    }
  }
  if (override.tier && !TIERS.includes(override.tier)) {
    throw configError(
      `${configKey}.tier`,
      `"${override.tier}" is not one of ${TIERS.join(', ')}`,
    );
  }
  if (override.accountId && !/^\d{12}$/.test(override.accountId)) {
    throw configError(
      `${configKey}.accountId`,
      `"${override.accountId}" is not a 12-digit AWS account id`,
    );
  }
  if (override.endpoint) {
    checkEndpoint(override.endpoint, `${configKey}.endpoint`);
  }
  return override;
}

function checkEndpoint(endpoint: string, key: string) {
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol)) {
    throw configError(key, `"${endpoint}" is not an http(s) URL`);
  }
}

function readCacheSwitches(config: Config): ReadPathCacheSwitches {
  const switches = { ...DEFAULT_CACHE_SWITCHES };
  for (const name of READ_PATH_CACHES) {
    const key = `cache.${name}`;
    if (!config.has(key)) {
      continue;
    }
    const value = config.getOptional(key);
    if (typeof value !== 'boolean') {
      throw configError(
        `environments.${key}`,
        `must be true or false, got ${JSON.stringify(value)}`,
      );
    }
    switches[name] = value;
  }
  return switches;
}

/**
 * Reads and checks the `environments` config at startup, so that a wrong value
 * stops the backend with the key in the message rather than failing later.
 */
export function readEnvironmentsOptions(
  rootConfig: Config,
): EnvironmentsOptions {
  const section =
    rootConfig.getOptionalConfig('environments') ?? new ConfigReader({});

  const environments = (
    section.getOptionalConfigArray('environments') ?? []
  ).map(readEnvironmentOverride);
  const seen = new Set<string>();
  for (const environment of environments) {
    if (seen.has(environment.name)) {
      throw configError(
        `${environment.configKey}.name`,
        `environment "${environment.name}" is configured twice`,
      );
    }
    seen.add(environment.name);
  }

  const defaultEndpoint = section.getOptionalString('defaultEndpoint');
  if (defaultEndpoint !== undefined) {
    checkEndpoint(defaultEndpoint, 'environments.defaultEndpoint');
  }

  const retryMode =
    section.getOptionalString('aws.retryMode') ?? DEFAULTS.awsRetryMode;
  if (retryMode !== 'standard' && retryMode !== 'adaptive') {
    throw configError(
      'environments.aws.retryMode',
      `"${retryMode}" is not one of standard, adaptive`,
    );
  }

  return {
    environments,
    ...(defaultEndpoint ? { defaultEndpoint } : {}),
    refresh: {
      frequency: readDuration(
        section,
        'refresh.frequency',
        DEFAULTS.refreshFrequency,
      ),
      configurationMaxAgeMs: durationToMilliseconds(
        readDuration(
          section,
          'refresh.configurationFrequency',
          DEFAULTS.configurationFrequency,
        ),
      ),
      timeoutMs: durationToMilliseconds(
        readDuration(section, 'refresh.timeout', DEFAULTS.refreshTimeout),
      ),
    },
    cache: {
      ttlMs: durationToMilliseconds(
        readDuration(section, 'cache.ttl', DEFAULTS.cacheTtl),
      ),
      switches: readCacheSwitches(section),
    },
    aws: {
      maxAttempts: readPositiveInteger(
        section,
        'aws.maxAttempts',
        DEFAULTS.awsMaxAttempts,
      ),
      retryMode,
      concurrency: readPositiveInteger(
        section,
        'aws.concurrency',
        DEFAULTS.awsConcurrency,
      ),
      callsPerSecond: readPositiveInteger(
        section,
        'aws.callsPerSecond',
        DEFAULTS.awsCallsPerSecond,
      ),
      burst: readPositiveInteger(section, 'aws.burst', DEFAULTS.awsBurst),
      timeoutMs: readPositiveInteger(
        section,
        'aws.timeoutMs',
        DEFAULTS.awsTimeoutMs,
      ),
      listingThread: section.getOptionalBoolean('aws.listingThread') ?? true,
    },
  };
}
