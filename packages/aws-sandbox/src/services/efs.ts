import { AwsError } from '../errors';
import type {
  OperationContext,
  RestInput,
  ServiceDefinition,
} from '../protocols/types';
import type { ResourceSpec } from '../scenario/schema';
import { hexId } from '../world/random';
import type { EnvironmentWorld } from '../world/simulation';
import { CREATED_AT } from '../world/time';
import { paginate } from './paging';

type Ctx = OperationContext<RestInput>;

const BAD_REQUEST = 'BadRequest';

interface FileSystem {
  world: EnvironmentWorld;
  resource: ResourceSpec;
  id: string;
}

function fileSystems(ctx: Ctx): FileSystem[] {
  return ctx.world.in(ctx.account, ctx.region).flatMap(world =>
    world.spec.resources
      .filter(resource => resource.type === 'efs')
      .map(resource => ({
        world,
        resource,
        id: world.names.resourceArn(resource).split('/').pop()!,
      })),
  );
}

function mountTargetZones({ world, resource }: FileSystem): string[] {
  return resource.mountTargetZones ?? world.spec.availabilityZones;
}

/** EFS pages by Marker and MaxItems (at most 100 mount targets, 1,000 file systems a page here). */
function page<T>(ctx: Ctx, items: T[], maxSize: number) {
  const { page: pageItems, nextToken } = paginate(
    items,
    ctx.input.query.get('Marker'),
    ctx.input.query.get('MaxItems'),
    {
      defaultSize: 100,
      maxSize,
      errorCode: BAD_REQUEST,
      sizeName: 'MaxItems',
      tokenName: 'Marker',
    },
  );
  return {
    items: pageItems,
    Marker: ctx.input.query.get('Marker') ?? undefined,
    NextMarker: nextToken,
  };
}

function fileSystemNotFound(id: string) {
  return new AwsError(
    'FileSystemNotFound',
    `File system '${id}' does not exist.`,
    404,
  );
}

function zoneId(world: EnvironmentWorld, zone: string) {
  // eu-west-1a → euw1-az1: the zone id as EC2 names it
  const [area, direction, number] = world.spec.region.split('-');
  const letter = zone.slice(world.spec.region.length);
  return `${area}${direction[0]}${number}-az${
    letter.charCodeAt(0) - 'a'.charCodeAt(0) + 1
  }`;
}

/** Elastic File System: the environment's file systems and their mount targets. */
export const efs: ServiceDefinition = {
  id: 'elasticfilesystem',
  protocol: 'restJson',
  errors: {
    validation: BAD_REQUEST,
    throttling: 'ThrottlingException',
    throttlingStatus: 429,
    accessDenied: 'AccessDeniedException',
    accessDeniedStatus: 403,
  },
  routes: [
    {
      method: 'GET',
      path: '/2015-02-01/file-systems',
      operation: 'DescribeFileSystems',
    },
    {
      method: 'GET',
      path: '/2015-02-01/mount-targets',
      operation: 'DescribeMountTargets',
    },
  ],
  operations: {
    DescribeFileSystems: (ctx: Ctx) => {
      const id = ctx.input.query.get('FileSystemId');
      const token = ctx.input.query.get('CreationToken');
      const selected = fileSystems(ctx).filter(
        fs => (!id || fs.id === id) && (!token || fs.resource.name === token),
      );
      if (id && selected.length === 0) {
        throw fileSystemNotFound(id);
      }
      const { items, Marker, NextMarker } = page(ctx, selected, 1000);
      return {
        Marker,
        NextMarker,
        FileSystems: items.map(fs => {
          const { world, resource } = fs;
          const { account, region, name } = world.spec;
          return {
            OwnerId: account,
            CreationToken: resource.name,
            FileSystemId: fs.id,
            FileSystemArn: world.names.resourceArn(resource),
            CreationTime: new Date(CREATED_AT),
            LifeCycleState: 'available',
            Name: resource.name,
            NumberOfMountTargets: mountTargetZones(fs).length,
            SizeInBytes: {
              Value: Math.round(resource.sizeGb * 1024 ** 3),
              ValueInIA: 0,
              ValueInStandard: Math.round(resource.sizeGb * 1024 ** 3),
              Timestamp: new Date(ctx.now * 1000),
            },
            PerformanceMode: 'generalPurpose',
            Encrypted: resource.encrypted,
            KmsKeyId: resource.encrypted
              ? `arn:aws:kms:${region}:${account}:key/${hexId(
                  32,
                  world.seed,
                  'efs-key',
                  account,
                )}`
              : undefined,
            ThroughputMode: 'bursting',
            Tags: [
              { Key: 'Name', Value: resource.name },
              { Key: 'kler:environment', Value: name },
            ],
          };
        }),
      };
    },

    DescribeMountTargets: (ctx: Ctx) => {
      const id = ctx.input.query.get('FileSystemId');
      const mountTargetId = ctx.input.query.get('MountTargetId');
      const accessPointId = ctx.input.query.get('AccessPointId');
      if (!id && !mountTargetId && !accessPointId) {
        throw new AwsError(
          BAD_REQUEST,
          'Must specify exactly one mutually exclusive parameter.',
        );
      }
      if ([id, mountTargetId, accessPointId].filter(Boolean).length > 1) {
        throw new AwsError(
          BAD_REQUEST,
          'Must specify exactly one mutually exclusive parameter.',
        );
      }
      if (accessPointId) {
        throw new AwsError(
          'AccessPointNotFound',
          `Access point '${accessPointId}' does not exist.`,
          404,
        );
      }
      const targets = fileSystems(ctx)
        .filter(fs => !id || fs.id === id)
        .flatMap(fs =>
          mountTargetZones(fs).map(zone => ({
            fs,
            zone,
            mountTargetId: `fsmt-${hexId(
              17,
              fs.world.seed,
              'mount-target',
              fs.id,
              zone,
            )}`,
          })),
        )
        .filter(t => !mountTargetId || t.mountTargetId === mountTargetId);
      if (
        id &&
        targets.length === 0 &&
        !fileSystems(ctx).some(fs => fs.id === id)
      ) {
        throw fileSystemNotFound(id);
      }
      if (mountTargetId && targets.length === 0) {
        throw new AwsError(
          'MountTargetNotFound',
          `Mount target '${mountTargetId}' does not exist.`,
          404,
        );
      }
      const { items, Marker, NextMarker } = page(ctx, targets, 100);
      return {
        Marker,
        NextMarker,
        MountTargets: items.map(({ fs, zone, mountTargetId: targetId }) => ({
          OwnerId: fs.world.spec.account,
          MountTargetId: targetId,
          FileSystemId: fs.id,
          SubnetId: `subnet-${hexId(
            17,
            fs.world.seed,
            fs.world.spec.account,
            zone,
          )}`,
          LifeCycleState: 'available',
          IpAddress: `10.0.${zone.charCodeAt(zone.length - 1) - 96}.${
            (parseInt(targetId.slice(-2), 16) % 250) + 4
          }`,
          NetworkInterfaceId: `eni-${hexId(
            17,
            fs.world.seed,
            'eni',
            targetId,
          )}`,
          AvailabilityZoneId: zoneId(fs.world, zone),
          AvailabilityZoneName: zone,
          VpcId: fs.world.names.vpcId(),
        })),
      };
    },
  },
};
