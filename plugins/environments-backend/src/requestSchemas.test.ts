import { InputError } from '@backstage/errors';
import {
  entityParams,
  environmentParams,
  parseRequest,
  problemsQuery,
} from './requestSchemas';

describe('request schemas', () => {
  it('parses problem filters given once or repeated', () => {
    expect(
      parseRequest(
        problemsQuery,
        { environment: 'production', area: ['health', 'backup'] },
        'query',
      ),
    ).toEqual({ environment: ['production'], area: ['health', 'backup'] });
  });

  it('lower-cases the kind of an entity and accepts components and systems only', () => {
    expect(
      parseRequest(
        entityParams,
        { namespace: 'default', kind: 'System', name: 'kler-shop' },
        'path',
      ).kind,
    ).toBe('system');
    expect(() =>
      parseRequest(
        entityParams,
        { namespace: 'default', kind: 'api', name: 'x' },
        'path',
      ),
    ).toThrow("path parameter 'kind'");
  });

  it('throws an InputError naming the bad parameter', () => {
    expect(() =>
      parseRequest(environmentParams, { name: '../etc' }, 'path'),
    ).toThrow(InputError);
    expect(() =>
      parseRequest(environmentParams, { name: '../etc' }, 'path'),
    ).toThrow("Invalid request: path parameter 'name' must be an entity name");
  });
});
