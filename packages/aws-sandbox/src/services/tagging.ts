import { AwsError } from '../errors';
import type { ServiceDefinition } from '../protocols/types';
import { paginate, requireArray } from './paging';

const INVALID = 'InvalidParameterException';

const RESOURCE_TYPES = {
  efs: 'elasticfilesystem:file-system',
  rds: 'rds:db',
} as const;

function typeMatches(filters: string[], type: string): boolean {
  return (
    filters.length === 0 ||
    filters.some(f => f === type || f === type.split(':')[0])
  );
}

export const tagging: ServiceDefinition = {
  id: 'tagging',
  protocol: 'json',
  jsonVersion: '1.1',
  targetPrefix: 'ResourceGroupsTaggingAPI_20170126',
  errors: {
    validation: INVALID,
    throttling: 'ThrottledException',
    throttlingStatus: 400,
    accessDenied: 'AccessDeniedException',
    accessDeniedStatus: 400,
  },
  operations: {
    GetResources: ctx => {
      const tagFilters = requireArray<{ Key: string; Values?: string[] }>(
        ctx.input.TagFilters,
        'TagFilters',
        50,
        INVALID,
      );
      const typeFilters = requireArray<string>(
        ctx.input.ResourceTypeFilters,
        'ResourceTypeFilters',
        100,
        INVALID,
      );
      const arnList = requireArray<string>(
        ctx.input.ResourceARNList,
        'ResourceARNList',
        100,
        INVALID,
      );
      if (arnList.length && (tagFilters.length || typeFilters.length)) {
        throw new AwsError(
          INVALID,
          'ResourceARNList cannot be used together with TagFilters or ResourceTypeFilters',
        );
      }
      const resources = ctx.world.in(ctx.account, ctx.region).flatMap(world =>
        world.spec.resources.map(resource => ({
          ResourceARN: world.names.resourceArn(resource),
          type: RESOURCE_TYPES[resource.type],
          Tags: [
            { Key: 'Name', Value: resource.name },
            { Key: 'kler:environment', Value: world.spec.name },
          ],
        })),
      );
      const selected = resources.filter(
        r =>
          typeMatches(typeFilters, r.type) &&
          (arnList.length === 0 || arnList.includes(r.ResourceARN)) &&
          tagFilters.every(filter =>
            r.Tags.some(
              tag =>
                tag.Key === filter.Key &&
                (!filter.Values?.length || filter.Values.includes(tag.Value)),
            ),
          ),
      );
      const { page, nextToken } = paginate(
        selected,
        ctx.input.PaginationToken,
        ctx.input.ResourcesPerPage,
        {
          defaultSize: 100,
          maxSize: 100,
          errorCode: INVALID,
          sizeName: 'ResourcesPerPage',
          tokenName: 'PaginationToken',
        },
      );
      return {
        // AWS answers an empty token on the last page
        PaginationToken: nextToken ?? '',
        ResourceTagMappingList: page.map(({ ResourceARN, Tags }) => ({
          ResourceARN,
          Tags,
        })),
      };
    },
  },
};
