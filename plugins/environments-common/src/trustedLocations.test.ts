import { ConfigReader } from '@backstage/config';
import {
  isTrustedLocation,
  readTrustedEnvironmentLocations,
} from './trustedLocations';

const CWD = '/work/main/packages/backend';

describe('readTrustedEnvironmentLocations', () => {
  it('reads kler.environments.trustedLocations, resolving relative file targets against cwd', () => {
    const config = new ConfigReader({
      kler: {
        environments: {
          trustedLocations: [
            'file:../../catalog/all.yaml',
            'file:/srv/catalog/./environments/*',
            'url:https://GitHub.com/kler/environments/blob/main/*',
          ],
        },
      },
      catalog: { locations: [{ type: 'file', target: 'other.yaml' }] },
    });
    expect(readTrustedEnvironmentLocations(config, CWD)).toEqual([
      'file:/work/main/catalog/all.yaml',
      'file:/srv/catalog/environments/*',
      'url:https://github.com/kler/environments/blob/main/*',
    ]);
  });

  it('defaults to the locations of catalog.locations', () => {
    const config = new ConfigReader({
      catalog: {
        locations: [
          { type: 'file', target: '../../catalog/all.yaml' },
          { type: 'file', target: '/tmp/drill/catalog.yaml' },
          {
            type: 'url',
            target: 'https://github.com/kler/shop/blob/main/catalog-info.yaml',
          },
        ],
      },
    });
    expect(readTrustedEnvironmentLocations(config, CWD)).toEqual([
      'file:/work/main/catalog/all.yaml',
      'file:/tmp/drill/catalog.yaml',
      'url:https://github.com/kler/shop/blob/main/catalog-info.yaml',
    ]);
    expect(readTrustedEnvironmentLocations(new ConfigReader({}), CWD)).toEqual(
      [],
    );
  });

  it('trusts nothing when the list is empty, even with catalog.locations', () => {
    const config = new ConfigReader({
      kler: { environments: { trustedLocations: [] } },
      catalog: { locations: [{ type: 'file', target: 'all.yaml' }] },
    });
    expect(readTrustedEnvironmentLocations(config, CWD)).toEqual([]);
  });

  it.each([
    ['catalog/all.yaml', 'is not a location ref'],
    ['file:', 'is not a location ref'],
    ['url:not a url', 'is not a valid URL'],
    [
      'file:../catalog/*.yaml',
      'has a * before its end; only a trailing * (a prefix) is supported',
    ],
  ])('names the key of an invalid entry %s', (entry, message) => {
    const config = new ConfigReader({
      kler: {
        environments: { trustedLocations: ['file:all.yaml', entry] },
      },
    });
    expect(() => readTrustedEnvironmentLocations(config, CWD)).toThrow(
      `Invalid config kler.environments.trustedLocations[1]: "${entry}" ${message}`,
    );
  });
});

describe('isTrustedLocation', () => {
  const trusted = [
    'file:/work/main/catalog/all.yaml',
    'file:/srv/environments/*',
    'url:https://github.com/kler/environments/*',
  ];

  it.each([
    'file:/work/main/catalog/all.yaml',
    'file:/work/main/catalog/../catalog/./all.yaml',
    'file:/srv/environments/staging/catalog-info.yaml',
    'url:https://github.com/kler/environments/blob/main/staging/catalog-info.yaml',
    'url:https://github.com:443/kler/environments/blob/main/x.yaml',
  ])('trusts %s', ref => {
    expect(isTrustedLocation(ref, trusted)).toBe(true);
  });

  it.each([
    [undefined],
    ['file:/work/main/catalog/all.yaml.evil'],
    ['file:/work/main/catalog/evil.yaml'],
    ['file:/srv/environments/../evil/catalog-info.yaml'],
    ['file:/srv/environments-evil/catalog-info.yaml'],
    ['file:../../catalog/all.yaml'],
    ['url:https://github.com/kler/environments-evil/blob/main/x.yaml'],
    ['url:https://github.com/kler/environments/blob/main/../../../evil/x.yaml'],
    ['url:https://github.com/kler/environments/%2e%2e/evil/blob/main/x.yaml'],
    ['url:https://github.com/kler/environments/blob/main/..%2F..%2Fevil.yaml'],
    ['url:https://github.com/kler/environments/blob/main/..%5c..%5cevil.yaml'],
    ['url:https://github.com@evil.example/kler/environments/blob/main/x.yaml'],
    ['url:http://github.com/kler/environments/blob/main/x.yaml'],
    ['url:not a url'],
    ['file:/srv/environments'],
    ['production'],
  ])('does not trust %s', ref => {
    expect(isTrustedLocation(ref, trusted)).toBe(false);
  });

  it('normalizes the trusted refs too', () => {
    expect(
      isTrustedLocation('file:/a/c/all.yaml', ['file:/a/b/../c/all.yaml']),
    ).toBe(true);
    expect(isTrustedLocation('file:/a/b/x.yaml', ['file:/a/b/../*'])).toBe(
      true,
    );
    expect(isTrustedLocation('file:/a/bc/x.yaml', ['file:/a/b/*'])).toBe(false);
  });

  it('trusts nothing from an empty list', () => {
    expect(isTrustedLocation('file:/work/main/catalog/all.yaml', [])).toBe(
      false,
    );
  });
});
