import { AwsError, requireMember } from '../errors';
import type { OperationContext, ServiceDefinition } from '../protocols/types';
import type { ServiceSpec } from '../scenario/schema';
import { hash32 } from '../world/random';
import type { EnvironmentWorld } from '../world/simulation';
import { CREATED_AT } from '../world/time';
import { imageDigest } from './ecsShapes';
import { paginate } from './paging';

const INVALID = 'InvalidParameterException';
const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;

/** The repository of an image in the world's own ECR registry; undefined for any other registry. */
function ecrRepository(world: EnvironmentWorld, image: string) {
  const registry = `${world.spec.account}.dkr.ecr.${world.spec.region}.amazonaws.com/`;
  if (!image.startsWith(registry)) {
    return undefined;
  }
  return image
    .slice(registry.length)
    .replace(/(@sha256:[0-9a-f]{64}|:[^/:]+)$/, '');
}

interface Image {
  world: EnvironmentWorld;
  service: ServiceSpec;
  digest: string;
}

/** The image of `repository` with `digest` some service of the account runs now, if any. */
function findImage(
  ctx: OperationContext,
  repository: string,
  digest: string,
): Image | undefined {
  let repositoryExists = false;
  for (const world of ctx.world.in(ctx.account, ctx.region)) {
    for (const service of world.spec.services) {
      if (ecrRepository(world, service.image) !== repository) continue;
      repositoryExists = true;
      const revisions = new Set(
        world.serviceTasks(service.name, ctx.now).map(run => run.revision),
      );
      for (const revision of revisions) {
        if (imageDigest(world, service, revision) === digest) {
          return { world, service, digest };
        }
      }
    }
  }
  if (!repositoryExists) {
    throw new AwsError(
      'RepositoryNotFoundException',
      `The repository with name '${repository}' does not exist in the registry with id '${ctx.account}'`,
    );
  }
  return undefined;
}

/** The image's findings, most severe first: as many of each severity as the scenario says. */
function findings({ world, service, digest }: Image) {
  return SEVERITIES.flatMap(severity =>
    Array.from({ length: service.imageScan[severity] }, (_, i) => {
      const id = 10000 + (hash32(world.seed, digest, severity, i) % 90000);
      return {
        name: `CVE-2026-${id}`,
        uri: `https://nvd.nist.gov/vuln/detail/CVE-2026-${id}`,
        severity,
        attributes: [
          { key: 'package_name', value: `lib${severity.toLowerCase()}${i}` },
        ],
      };
    }),
  );
}

/** Elastic Container Registry: the scan findings of the images the environments run. */
export const ecr: ServiceDefinition = {
  id: 'ecr',
  protocol: 'json',
  jsonVersion: '1.1',
  targetPrefix: 'AmazonEC2ContainerRegistry_V20150921',
  errors: {
    validation: INVALID,
    throttling: 'ThrottlingException',
    throttlingStatus: 400,
    accessDenied: 'AccessDeniedException',
    accessDeniedStatus: 400,
  },
  operations: {
    DescribeImageScanFindings: ctx => {
      const { repositoryName, imageId, registryId } = ctx.input;
      requireMember(repositoryName, 'repositoryName', INVALID);
      requireMember(imageId, 'imageId', INVALID);
      if (registryId && registryId !== ctx.account) {
        throw new AwsError(
          'RepositoryNotFoundException',
          `The repository with name '${repositoryName}' does not exist in the registry with id '${registryId}'`,
        );
      }
      const digest: string | undefined = imageId.imageDigest;
      if (!digest) {
        // the sandbox's tasks report digests: a tag is not looked up
        throw new AwsError(
          INVALID,
          'Invalid parameter at imageId: the sandbox answers by imageDigest only',
        );
      }
      const image = findImage(ctx, repositoryName, digest);
      if (!image) {
        throw new AwsError(
          'ImageNotFoundException',
          `The image with imageId {imageDigest:'${digest}', imageTag:'null'} does not exist within the repository with name '${repositoryName}' in the registry with id '${ctx.account}'`,
        );
      }
      if (!image.service.imageScan.scanned) {
        throw new AwsError(
          'ScanNotFoundException',
          `Image scan does not exist for the image with '{imageDigest:'${digest}', imageTag:'null'}' in the repository with name '${repositoryName}' in the registry with id '${ctx.account}'`,
        );
      }
      const all = findings(image);
      const { page, nextToken } = paginate(
        all,
        ctx.input.nextToken,
        ctx.input.maxResults,
        {
          defaultSize: 100,
          maxSize: 1000,
          errorCode: INVALID,
          sizeName: 'maxResults',
          tokenName: 'nextToken',
        },
      );
      const counts = Object.fromEntries(
        SEVERITIES.filter(s => image.service.imageScan[s] > 0).map(s => [
          s,
          image.service.imageScan[s],
        ]),
      );
      return {
        registryId: ctx.account,
        repositoryName,
        imageId: { imageDigest: digest },
        imageScanStatus: {
          status: 'COMPLETE',
          description: 'The scan was completed successfully.',
        },
        imageScanFindings: {
          imageScanCompletedAt: new Date(CREATED_AT),
          vulnerabilitySourceUpdatedAt: new Date(CREATED_AT),
          findingSeverityCounts: counts,
          findings: page,
        },
        nextToken,
      };
    },
  },
};
