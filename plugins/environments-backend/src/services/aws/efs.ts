import {
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  MountTargetDescription,
} from '@aws-sdk/client-efs';
import {
  BackupCandidate,
  FileSystemSummary,
} from '@kler/plugin-environments-common';
import { collectPages } from './concurrency';
import { ReadContext } from './types';

/** The ids of the environment's EFS file systems, from the resources its tag finds. */
export function fileSystemIds(candidates: BackupCandidate[]): string[] {
  return candidates
    .filter(candidate => candidate.resourceType === 'EFS')
    .map(candidate => candidate.resourceArn.split('/').pop()!)
    .sort();
}

/**
 * Describes each file system (encryption) and its mount targets (zones):
 * two calls a file system. A file system deleted since it was tagged is left
 * out.
 */
export async function readFileSystems(
  { clients, limit, sendOptions }: ReadContext,
  ids: string[],
): Promise<FileSystemSummary[]> {
  const described = await Promise.all(
    ids.map(async id => {
      let fileSystem;
      try {
        const output = await limit('DescribeFileSystems', () =>
          clients.efs.send(
            new DescribeFileSystemsCommand({ FileSystemId: id }),
            sendOptions,
          ),
        );
        fileSystem = output.FileSystems?.[0];
      } catch (error) {
        if ((error as Error).name === 'FileSystemNotFound') {
          return undefined;
        }
        throw error;
      }
      if (!fileSystem?.FileSystemId) {
        return undefined;
      }
      const mountTargets = await collectPages<MountTargetDescription>(
        async Marker => {
          const page = await limit('DescribeMountTargets', () =>
            clients.efs.send(
              new DescribeMountTargetsCommand({ FileSystemId: id, Marker }),
              sendOptions,
            ),
          );
          return { items: page.MountTargets, nextToken: page.NextMarker };
        },
      );
      const summary: FileSystemSummary = {
        fileSystemId: fileSystem.FileSystemId,
        fileSystemArn: fileSystem.FileSystemArn ?? id,
        encrypted: fileSystem.Encrypted === true,
        mountTargetZones: [
          ...new Set(
            mountTargets.flatMap(target =>
              target.AvailabilityZoneName ? [target.AvailabilityZoneName] : [],
            ),
          ),
        ].sort(),
      };
      if (fileSystem.Name) {
        summary.name = fileSystem.Name;
      }
      return summary;
    }),
  );
  return described.flatMap(summary => (summary ? [summary] : []));
}
