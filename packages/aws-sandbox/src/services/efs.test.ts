import {
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
} from '@aws-sdk/client-efs';
import type { RunningSandbox } from '../server';
import {
  clientConfig,
  DEVELOPMENT,
  PEAK,
  PRODUCTION,
  startKlerSandbox,
} from '../testUtils';

describe('Elastic File System', () => {
  let sandbox: RunningSandbox;
  let production: EFSClient;
  let development: EFSClient;
  beforeAll(async () => {
    sandbox = await startKlerSandbox(PEAK);
    production = new EFSClient(clientConfig(sandbox.url, PRODUCTION));
    development = new EFSClient(clientConfig(sandbox.url, DEVELOPMENT));
  });
  afterAll(() => sandbox.close());

  it("describes the environment's file system and its mount targets' zones", async () => {
    const { FileSystems } = await production.send(
      new DescribeFileSystemsCommand({}),
    );
    expect(FileSystems).toHaveLength(1);
    const [media] = FileSystems!;
    expect(media).toMatchObject({
      Name: 'shop-media',
      Encrypted: true,
      NumberOfMountTargets: 2,
      LifeCycleState: 'available',
      FileSystemArn: `arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/${media.FileSystemId}`,
    });
    expect(media.CreationTime).toBeInstanceOf(Date);
    const { MountTargets } = await production.send(
      new DescribeMountTargetsCommand({ FileSystemId: media.FileSystemId }),
    );
    expect(MountTargets!.map(t => t.AvailabilityZoneName)).toEqual([
      'eu-west-1a',
      'eu-west-1b',
    ]);
    expect(MountTargets![0]).toMatchObject({
      FileSystemId: media.FileSystemId,
      AvailabilityZoneId: 'euw1-az1',
      LifeCycleState: 'available',
    });
  });

  it("says development's file system is not encrypted", async () => {
    const { FileSystems } = await development.send(
      new DescribeFileSystemsCommand({}),
    );
    expect(FileSystems!.map(f => [f.Name, f.Encrypted])).toEqual([
      ['shop-media', false],
    ]);
    expect(FileSystems![0].KmsKeyId).toBeUndefined();
  });

  it('pages by marker', async () => {
    const { FileSystems } = await production.send(
      new DescribeFileSystemsCommand({}),
    );
    const first = await production.send(
      new DescribeMountTargetsCommand({
        FileSystemId: FileSystems![0].FileSystemId,
        MaxItems: 1,
      }),
    );
    expect(first.MountTargets).toHaveLength(1);
    expect(first.NextMarker).toBeDefined();
    const second = await production.send(
      new DescribeMountTargetsCommand({
        FileSystemId: FileSystems![0].FileSystemId,
        MaxItems: 1,
        Marker: first.NextMarker,
      }),
    );
    expect(second.MountTargets![0].AvailabilityZoneName).toBe('eu-west-1b');
    expect(second.NextMarker).toBeUndefined();
  });

  it('answers unknown file systems and missing parameters as EFS does', async () => {
    await expect(
      production.send(
        new DescribeFileSystemsCommand({
          FileSystemId: 'fs-00000000000000000',
        }),
      ),
    ).rejects.toMatchObject({
      name: 'FileSystemNotFound',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      production.send(
        new DescribeMountTargetsCommand({
          FileSystemId: 'fs-00000000000000000',
        }),
      ),
    ).rejects.toMatchObject({ name: 'FileSystemNotFound' });
    await expect(
      production.send(new DescribeMountTargetsCommand({})),
    ).rejects.toMatchObject({ name: 'BadRequest' });
  });
});
