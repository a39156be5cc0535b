import { AwsError } from '../errors';
import type { OperationContext, ServiceDefinition } from '../protocols/types';
import type { EnvironmentWorld } from '../world/simulation';
import { CREATED_AT } from '../world/time';
import { paginate, requireArray } from './paging';

const INVALID = 'ValidationException';

/** The SSM parameter a secret's `valueFrom` names (its name, or its ARN), in the world's account and region. */
export function parameterName(
  world: EnvironmentWorld,
  valueFrom: string,
): string | undefined {
  const arn = valueFrom.match(
    /^arn:aws[a-z-]*:ssm:([^:]+):(\d{12}):parameter(\/.+)$/,
  );
  if (arn) {
    const [, region, account, path] = arn;
    if (region !== world.spec.region || account !== world.spec.account) {
      return undefined;
    }
    // `parameter/name` for a name without a leading slash, `parameter/path/name` with one
    return path.split('/').length === 2 ? path.slice(1) : path;
  }
  return valueFrom.startsWith('arn:') ? undefined : valueFrom;
}

interface Parameter {
  world: EnvironmentWorld;
  name: string;
}

/**
 * The parameters of the account and region: every one a service's secret
 * names, but those the scenario marks missing. Values are never modelled:
 * the sandbox answers metadata only, as the portal reads.
 */
function parameters(ctx: OperationContext): Parameter[] {
  const byName = new Map<string, Parameter>();
  for (const world of ctx.world.in(ctx.account, ctx.region)) {
    for (const service of world.spec.services) {
      for (const secret of service.secrets) {
        const name = parameterName(world, secret.valueFrom);
        if (name && !secret.missing) {
          byName.set(name, { world, name });
        }
      }
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

interface ParameterFilter {
  Key: string;
  Option?: string;
  Values?: string[];
}

const FILTER_OPTIONS: Record<string, string[]> = {
  Name: ['Equals', 'BeginsWith'],
  Type: ['Equals'],
  Path: ['Recursive', 'OneLevel'],
};

function matches(parameter: Parameter, filter: ParameterFilter): boolean {
  const values = filter.Values ?? [];
  const { name } = parameter;
  switch (filter.Key) {
    case 'Name':
      return filter.Option === 'BeginsWith'
        ? values.some(v => name.startsWith(v))
        : values.includes(name);
    case 'Type':
      return values.includes('SecureString');
    default: {
      // Path
      return values.some(path => {
        const prefix = path.endsWith('/') ? path : `${path}/`;
        return (
          name.startsWith(prefix) &&
          (filter.Option === 'Recursive' ||
            !name.slice(prefix.length).includes('/'))
        );
      });
    }
  }
}

function checkFilters(filters: ParameterFilter[]) {
  filters.forEach((filter, i) => {
    const options = FILTER_OPTIONS[filter.Key];
    if (!options) {
      throw new AwsError(
        'InvalidFilterKey',
        `The following filter key is not valid: ${filter.Key}. Valid filter keys include: [Path, Name, Type].`,
      );
    }
    const option = filter.Option ?? options[0];
    if (!options.includes(option)) {
      throw new AwsError(
        'InvalidFilterOption',
        `The following filter option is not valid: ${option}. Valid options include: [${options.join(
          ', ',
        )}].`,
      );
    }
    const values = filter.Values ?? [];
    if (values.length === 0) {
      throw new AwsError(
        'InvalidFilterValue',
        `The following filter values are missing : null for filter key ${filter.Key}.`,
      );
    }
    requireArray(
      values,
      `parameterFilters.${i + 1}.member.values`,
      50,
      INVALID,
      `1 validation error detected: Value at 'parameterFilters.${
        i + 1
      }.member.values' failed to satisfy constraint: Member must have length less than or equal to 50`,
    );
  });
}

function parameterArn(world: EnvironmentWorld, name: string) {
  const { region, account } = world.spec;
  return `arn:aws:ssm:${region}:${account}:parameter${
    name.startsWith('/') ? '' : '/'
  }${name}`;
}

/** Systems Manager: DescribeParameters, the parameters' metadata (never a value). */
export const ssm: ServiceDefinition = {
  id: 'ssm',
  protocol: 'json',
  jsonVersion: '1.1',
  targetPrefix: 'AmazonSSM',
  errors: {
    validation: INVALID,
    throttling: 'ThrottlingException',
    throttlingStatus: 400,
    accessDenied: 'AccessDeniedException',
    accessDeniedStatus: 400,
  },
  operations: {
    DescribeParameters: ctx => {
      const filters = requireArray<ParameterFilter>(
        ctx.input.ParameterFilters,
        'parameterFilters',
        50,
        INVALID,
      );
      if (filters.length > 0 && ctx.input.Filters?.length) {
        throw new AwsError(
          INVALID,
          'You can use either Filters or ParameterFilters in a single request.',
        );
      }
      checkFilters(filters);
      const selected = parameters(ctx).filter(parameter =>
        filters.every(filter => matches(parameter, filter)),
      );
      const { page, nextToken } = paginate(
        selected,
        ctx.input.NextToken,
        ctx.input.MaxResults,
        { defaultSize: 10, maxSize: 50, errorCode: INVALID },
      );
      return {
        Parameters: page.map(({ world, name }) => ({
          Name: name,
          ARN: parameterArn(world, name),
          Type: 'SecureString',
          KeyId: 'alias/aws/ssm',
          LastModifiedDate: new Date(CREATED_AT),
          LastModifiedUser: `arn:aws:iam::${world.spec.account}:role/kler-terraform`,
          Version: 1,
          Tier: 'Standard',
          Policies: [],
          DataType: 'text',
        })),
        NextToken: nextToken,
      };
    },
  },
};
