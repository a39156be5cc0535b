import {
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
} from '@aws-sdk/client-efs';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import {
  accessDenied,
  clearAwsCalls,
  createReader,
  efs,
  env,
  NOW,
  tagging,
  useAwsMocks,
} from '../../__testUtils__/awsMocks';

useAwsMocks();

const fsArn = (id: string) =>
  `arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/${id}`;

function mockFileSystems(
  fileSystems: Array<{ id: string; encrypted: boolean; zones: string[] }>,
) {
  tagging.on(GetResourcesCommand).resolves({
    ResourceTagMappingList: [
      ...fileSystems.map(fs => ({
        ResourceARN: fsArn(fs.id),
        Tags: [{ Key: 'kler:environment', Value: 'production' }],
      })),
      {
        ResourceARN: 'arn:aws:rds:eu-west-1:222222222222:db:shop-database',
        Tags: [{ Key: 'kler:environment', Value: 'production' }],
      },
    ],
  });
  efs.on(DescribeFileSystemsCommand).callsFake(input => {
    const found = fileSystems.find(fs => fs.id === input.FileSystemId);
    if (!found) {
      throw Object.assign(new Error('no such file system'), {
        name: 'FileSystemNotFound',
      });
    }
    return {
      FileSystems: [
        {
          FileSystemId: found.id,
          FileSystemArn: fsArn(found.id),
          Name: 'shop-media',
          Encrypted: found.encrypted,
        },
      ],
    };
  });
  efs.on(DescribeMountTargetsCommand).callsFake(input => {
    const zones = fileSystems.find(fs => fs.id === input.FileSystemId)!.zones;
    // one mount target a page, to follow the markers
    const index = input.Marker ? Number(input.Marker) : 0;
    return {
      MountTargets: zones
        .slice(index, index + 1)
        .map(zone => ({ AvailabilityZoneName: zone })),
      NextMarker: index + 1 < zones.length ? String(index + 1) : undefined,
    };
  });
}

describe('AwsEnvironmentReader: file systems', () => {
  it("describes the environment's tagged file systems and their mount targets' zones", async () => {
    mockFileSystems([
      { id: 'fs-1', encrypted: true, zones: ['eu-west-1b', 'eu-west-1a'] },
      { id: 'fs-2', encrypted: false, zones: [] },
    ]);
    const snapshot = await createReader().read(env);

    expect(efs).toHaveReceivedCommandTimes(DescribeFileSystemsCommand, 2);
    expect(efs).toHaveReceivedCommandTimes(DescribeMountTargetsCommand, 3);
    expect(snapshot.workloadResources!.fileSystems).toEqual([
      {
        fileSystemId: 'fs-1',
        fileSystemArn: fsArn('fs-1'),
        name: 'shop-media',
        encrypted: true,
        mountTargetZones: ['eu-west-1a', 'eu-west-1b'],
      },
      {
        fileSystemId: 'fs-2',
        fileSystemArn: fsArn('fs-2'),
        name: 'shop-media',
        encrypted: false,
        mountTargetZones: [],
      },
    ]);
  });

  it('reads them as configuration: again when due, or when the tagged set changes', async () => {
    mockFileSystems([{ id: 'fs-1', encrypted: true, zones: ['eu-west-1a'] }]);
    let now = NOW;
    const reader = createReader({ now: () => now });
    await reader.read(env);
    clearAwsCalls();
    now = new Date(NOW.getTime() + 60_000);
    await reader.read(env);
    expect(efs).not.toHaveReceivedCommand(DescribeFileSystemsCommand);

    now = new Date(NOW.getTime() + 11 * 60_000);
    mockFileSystems([
      { id: 'fs-1', encrypted: true, zones: ['eu-west-1a'] },
      { id: 'fs-3', encrypted: true, zones: ['eu-west-1a'] },
    ]);
    const snapshot = await reader.read(env);
    expect(efs).toHaveReceivedCommandTimes(DescribeFileSystemsCommand, 2);
    expect(
      snapshot.workloadResources!.fileSystems!.map(f => f.fileSystemId),
    ).toEqual(['fs-1', 'fs-3']);
  });

  it('leaves out a file system deleted since it was tagged', async () => {
    mockFileSystems([{ id: 'fs-1', encrypted: true, zones: ['eu-west-1a'] }]);
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [
        { ResourceARN: fsArn('fs-1') },
        { ResourceARN: fsArn('fs-gone') },
      ],
    });
    const snapshot = await createReader().read(env);
    expect(
      snapshot.workloadResources!.fileSystems!.map(f => f.fileSystemId),
    ).toEqual(['fs-1']);
    expect(snapshot.readErrors).toEqual([]);
  });

  it('is a read error of the workload area when denied', async () => {
    mockFileSystems([{ id: 'fs-1', encrypted: true, zones: [] }]);
    efs
      .on(DescribeFileSystemsCommand)
      .rejects(accessDenied('elasticfilesystem:DescribeFileSystems'));
    const snapshot = await createReader().read(env);
    expect(snapshot.workloadResources!.fileSystems).toBeUndefined();
    expect(snapshot.readErrors).toEqual([
      expect.objectContaining({
        area: 'workload',
        name: 'AccessDeniedException',
      }),
    ]);
  });
});
