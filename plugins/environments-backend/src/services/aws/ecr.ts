import { DescribeImageScanFindingsCommand } from '@aws-sdk/client-ecr';
import { EcsTask, ImageScanSummary } from '@kler/plugin-environments-common';
import { Descriptions } from '../../caches/AwsReadMemory';
import { isoTime } from './time';
import { parseImageReference } from './taskDefinitions';
import { ReadContext } from './types';

/** An image digest that runs, in the environment's own ECR. */
export interface RunningImage {
  repositoryName: string;
  imageDigest: string;
}

/** A scan as read, with when: a scan is read again once older than the configuration period. */
export interface ImageScanRead {
  scan: ImageScanSummary;
  readAt: number;
}

/** `kler/shop-api@sha256:...`: one scan per repository and digest. */
export function imageKey(image: RunningImage): string {
  return `${image.repositoryName}@${image.imageDigest}`;
}

/**
 * The digests the running tasks run from the environment's own ECR registry
 * (its account and region), each once, sorted. Other registries have no
 * scan the environment's credentials can read.
 */
export function runningEcrImages(
  tasks: EcsTask[],
  env: { accountId: string; region: string },
): RunningImage[] {
  const registry = `${env.accountId}.dkr.ecr.${env.region}.amazonaws.com`;
  const images = new Map<string, RunningImage>();
  for (const task of tasks) {
    if (task.lastStatus !== 'RUNNING') {
      continue;
    }
    for (const container of task.containers) {
      if (!container.image || !container.imageDigest) {
        continue;
      }
      const ref = parseImageReference(container.image);
      if (ref.registry !== registry) {
        continue;
      }
      const image = {
        repositoryName: ref.repository,
        imageDigest: container.imageDigest,
      };
      images.set(imageKey(image), image);
    }
  }
  return [...images.values()].sort((a, b) =>
    imageKey(a).localeCompare(imageKey(b)),
  );
}

/** A scan's findings change only when ECR rescans: COMPLETE (basic) or ACTIVE (enhanced) counts are final. */
const FINISHED_SCAN_STATUSES = new Set(['COMPLETE', 'ACTIVE']);

/**
 * The scans of the images that run, one DescribeImageScanFindings each
 * (maxResults 1: the severity counts come with any page). A digest's scan is
 * reused while younger than `reuseMs` (the configuration period: a rescan or
 * new vulnerability data changes it rarely) and forgotten when no task runs
 * it. No scan (ScanNotFoundException) is `not-scanned`; an image or
 * repository gone since is left out; another failure goes to `onFailure`.
 */
export async function readImageScans(
  { clients, limit, sendOptions, env, now }: ReadContext,
  images: RunningImage[],
  known: Descriptions<ImageScanRead>,
  reuseMs: number,
  onFailure: (image: RunningImage, error: unknown) => void,
): Promise<ImageScanSummary[]> {
  const readAt = now.getTime();
  const scans = await Promise.all(
    images.map(async image => {
      const key = imageKey(image);
      const reused = known.get(key);
      if (reused && readAt - reused.readAt < reuseMs) {
        return reused.scan;
      }
      const base = { ...image, critical: 0, high: 0 };
      let scan: ImageScanSummary | undefined;
      try {
        const output = await limit('DescribeImageScanFindings', () =>
          clients.ecr.send(
            new DescribeImageScanFindingsCommand({
              registryId: env.accountId,
              repositoryName: image.repositoryName,
              imageId: { imageDigest: image.imageDigest },
              maxResults: 1,
            }),
            sendOptions,
          ),
        );
        const status = output.imageScanStatus?.status ?? '';
        const findings = output.imageScanFindings;
        const counts = findings?.findingSeverityCounts ?? {};
        scan = FINISHED_SCAN_STATUSES.has(status)
          ? {
              ...base,
              status: 'complete',
              critical: counts.CRITICAL ?? 0,
              high: counts.HIGH ?? 0,
              completedAt: isoTime(findings?.imageScanCompletedAt),
            }
          : { ...base, status: 'pending' };
      } catch (error) {
        const name = (error as Error).name;
        if (name === 'ScanNotFoundException') {
          scan = { ...base, status: 'not-scanned' };
        } else if (
          name !== 'ImageNotFoundException' &&
          name !== 'RepositoryNotFoundException'
        ) {
          onFailure(image, error);
        }
      }
      // A scan in progress is asked again next read.
      if (scan && scan.status !== 'pending') {
        known.set(key, { scan, readAt });
      }
      return scan;
    }),
  );
  known.retainOnly(images.map(imageKey));
  return scans.flatMap(scan => (scan ? [scan] : []));
}
