import { ConfigReader } from '@backstage/config';
import { readEnvironmentsOptions } from './config';
import { DEFAULT_CACHE_SWITCHES } from './caches/switches';

const read = (environments: unknown) =>
  readEnvironmentsOptions(new ConfigReader({ environments } as any));

describe('readEnvironmentsOptions', () => {
  it('has defaults for everything', () => {
    expect(readEnvironmentsOptions(new ConfigReader({}))).toEqual({
      environments: [],
      refresh: {
        frequency: { seconds: 30 },
        configurationMaxAgeMs: 600_000,
        timeoutMs: 60_000,
      },
      cache: { ttlMs: 600_000, switches: DEFAULT_CACHE_SWITCHES },
      aws: {
        maxAttempts: 5,
        retryMode: 'standard',
        concurrency: 8,
        callsPerSecond: 20,
        burst: 40,
        timeoutMs: 10_000,
        listingThread: true,
      },
    });
  });

  it('reads every key', () => {
    const options = read({
      environments: [
        {
          name: 'development',
          endpoint: 'http://127.0.0.1:4566',
          tier: 'development',
          accountId: '111111111111',
        },
      ],
      refresh: {
        frequency: 'PT1M',
        configurationFrequency: { minutes: 5 },
        timeout: { seconds: 20 },
      },
      cache: {
        ttl: { minutes: 5 },
        awsConfiguration: false,
        evaluations: false,
        permissionDecisions: true,
      },
      aws: {
        maxAttempts: 3,
        retryMode: 'standard',
        concurrency: 4,
        callsPerSecond: 5,
        burst: 10,
        timeoutMs: 2000,
        listingThread: false,
      },
    });
    expect(options).toEqual({
      environments: [
        {
          name: 'development',
          endpoint: 'http://127.0.0.1:4566',
          tier: 'development',
          accountId: '111111111111',
          configKey: 'environments.environments[0]',
        },
      ],
      refresh: {
        frequency: { minutes: 1 },
        configurationMaxAgeMs: 300_000,
        timeoutMs: 20_000,
      },
      cache: {
        ttlMs: 300_000,
        switches: {
          ...DEFAULT_CACHE_SWITCHES,
          awsConfiguration: false,
          evaluations: false,
          permissionDecisions: true,
        },
      },
      aws: {
        maxAttempts: 3,
        retryMode: 'standard',
        concurrency: 4,
        callsPerSecond: 5,
        burst: 10,
        timeoutMs: 2000,
        listingThread: false,
      },
    });
  });

  it('reads the endpoint of environments without their own', () => {
    expect(read({}).defaultEndpoint).toBeUndefined();
    expect(
      read({ defaultEndpoint: 'http://127.0.0.1:4566' }).defaultEndpoint,
    ).toBe('http://127.0.0.1:4566');
  });

  it.each([
    [{ aws: { concurrency: 0 } }, 'environments.aws.concurrency'],
    [{ aws: { callsPerSecond: -5 } }, 'environments.aws.callsPerSecond'],
    [{ aws: { burst: 'lots' } }, 'environments.aws.burst'],
    [{ aws: { maxAttempts: 1.5 } }, 'environments.aws.maxAttempts'],
    [{ aws: { retryMode: 'legacy' } }, 'environments.aws.retryMode'],
    [{ aws: { timeoutMs: 'fast' } }, 'environments.aws.timeoutMs'],
    [
      { aws: { listingThread: 'yes please' } },
      'environments.aws.listingThread',
    ],
    [
      { refresh: { frequency: { fortnights: 1 } } },
      'environments.refresh.frequency',
    ],
    [{ cache: { ttl: 'soon' } }, 'environments.cache.ttl'],
    [{ cache: { evaluations: 'yes' } }, 'environments.cache.evaluations'],
    [
      { refresh: { configurationFrequency: 0 } },
      'environments.refresh.configurationFrequency',
    ],
    [
      { environments: [{ name: 'dev', tier: 'staging' }] },
      'environments.environments[0].tier',
    ],
    [
      { environments: [{ name: 'dev', accountId: '123' }] },
      'environments.environments[0].accountId',
    ],
    [
      { environments: [{ name: 'dev', endpoint: 'localhost:4566' }] },
      'environments.environments[0].endpoint',
    ],
    [{ defaultEndpoint: 'file:///tmp/aws' }, 'environments.defaultEndpoint'],
    [
      { environments: [{ tier: 'development' }] },
      'environments.environments[0].name',
    ],
    [
      { environments: [{ name: 'dev' }, { name: 'dev' }] },
      'environments.environments[1].name',
    ],
  ])('fails on %j naming %s', (environments, key) => {
    expect(() => read(environments)).toThrow(key);
  });
});
