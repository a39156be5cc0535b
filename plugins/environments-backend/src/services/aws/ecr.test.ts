import { DescribeImageScanFindingsCommand } from '@aws-sdk/client-ecr';
import { DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import {
  accessDenied,
  clearAwsCalls,
  createReader,
  ecr,
  ecs,
  env,
  mockCluster,
  mockServices,
  NOW,
  taskArn,
  useAwsMocks,
} from '../../__testUtils__/awsMocks';
import { runningEcrImages } from './ecr';

useAwsMocks();

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const ecrImage = (repository: string) =>
  `222222222222.dkr.ecr.eu-west-1.amazonaws.com/${repository}:2026.11.5`;

/** Running tasks of shop-api, each running `image` at `imageDigest`. */
function mockRunning(
  containers: Array<{ image: string; imageDigest: string }>,
) {
  mockServices(['shop-api']);
  mockCluster({
    activeServicesCount: 1,
    runningTasksCount: containers.length,
  });
  ecs.on(ListTasksCommand).callsFake(input => ({
    taskArns:
      input.desiredStatus === 'RUNNING'
        ? containers.map((_, i) => taskArn(i))
        : [],
  }));
  ecs.on(DescribeTasksCommand).callsFake(input => ({
    tasks: (input.tasks as string[]).map(arn => {
      const i = Number(arn.split('/').pop());
      return {
        taskArn: arn,
        group: 'service:shop-api',
        lastStatus: 'RUNNING',
        availabilityZone: 'eu-west-1a',
        containers: [{ name: 'app', lastStatus: 'RUNNING', ...containers[i] }],
      };
    }),
  }));
}

describe('AwsEnvironmentReader: image scans', () => {
  it('reads the scan of each ECR digest that runs once, with its critical and high counts', async () => {
    mockRunning([
      { image: ecrImage('kler/shop-api'), imageDigest: digest('a') },
      { image: ecrImage('kler/shop-api'), imageDigest: digest('a') },
      { image: ecrImage('kler/storefront'), imageDigest: digest('b') },
      // other registries: no scan to read
      { image: 'nginx:1.27', imageDigest: digest('c') },
      {
        image: '999999999999.dkr.ecr.eu-west-1.amazonaws.com/base:1',
        imageDigest: digest('d'),
      },
    ]);
    ecr.on(DescribeImageScanFindingsCommand).callsFake(input => {
      if (input.repositoryName === 'kler/storefront') {
        throw Object.assign(new Error('no scan'), {
          name: 'ScanNotFoundException',
        });
      }
      return {
        imageScanStatus: { status: 'COMPLETE' },
        imageScanFindings: {
          imageScanCompletedAt: new Date('2026-11-20T10:00:00Z'),
          findingSeverityCounts: { CRITICAL: 1, HIGH: 3, MEDIUM: 7 },
          findings: [],
        },
      };
    });
    const snapshot = await createReader().read(env);

    expect(ecr).toHaveReceivedCommandTimes(DescribeImageScanFindingsCommand, 2);
    expect(ecr).toHaveReceivedCommandWith(DescribeImageScanFindingsCommand, {
      registryId: '222222222222',
      repositoryName: 'kler/shop-api',
      imageId: { imageDigest: digest('a') },
      maxResults: 1,
    });
    expect(snapshot.workloadResources!.imageScans).toEqual([
      {
        repositoryName: 'kler/shop-api',
        imageDigest: digest('a'),
        status: 'complete',
        critical: 1,
        high: 3,
        completedAt: '2026-11-20T10:00:00.000Z',
      },
      {
        repositoryName: 'kler/storefront',
        imageDigest: digest('b'),
        status: 'not-scanned',
        critical: 0,
        high: 0,
      },
    ]);
    expect(snapshot.readErrors).toEqual([]);
  });

  it('reuses a scan for the configuration period, and asks again for a scan in progress', async () => {
    mockRunning([
      { image: ecrImage('kler/shop-api'), imageDigest: digest('a') },
    ]);
    ecr.on(DescribeImageScanFindingsCommand).resolves({
      imageScanStatus: { status: 'IN_PROGRESS' },
    });
    let now = NOW;
    const reader = createReader({ now: () => now });
    expect(
      (await reader.read(env)).workloadResources!.imageScans![0].status,
    ).toBe('pending');

    ecr.on(DescribeImageScanFindingsCommand).resolves({
      imageScanStatus: { status: 'COMPLETE' },
      imageScanFindings: { findingSeverityCounts: { HIGH: 2 } },
    });
    clearAwsCalls();
    now = new Date(NOW.getTime() + 60_000);
    expect(
      (await reader.read(env)).workloadResources!.imageScans![0],
    ).toMatchObject({
      status: 'complete',
      high: 2,
    });
    expect(ecr).toHaveReceivedCommandTimes(DescribeImageScanFindingsCommand, 1);

    clearAwsCalls();
    now = new Date(NOW.getTime() + 2 * 60_000);
    await reader.read(env);
    expect(ecr).not.toHaveReceivedCommand(DescribeImageScanFindingsCommand);

    clearAwsCalls();
    now = new Date(NOW.getTime() + 12 * 60_000);
    await reader.read(env);
    expect(ecr).toHaveReceivedCommandTimes(DescribeImageScanFindingsCommand, 1);
  });

  it('is a read error of the workload area when denied, tried again next read', async () => {
    mockRunning([
      { image: ecrImage('kler/shop-api'), imageDigest: digest('a') },
    ]);
    ecr
      .on(DescribeImageScanFindingsCommand)
      .rejects(accessDenied('ecr:DescribeImageScanFindings'));
    const reader = createReader();
    const snapshot = await reader.read(env);
    expect(snapshot.workloadResources!.imageScans).toEqual([]);
    expect(snapshot.readErrors).toEqual([
      expect.objectContaining({
        area: 'workload',
        name: 'AccessDeniedException',
        message: expect.stringContaining(`kler/shop-api@${digest('a')}`),
      }),
    ]);
    clearAwsCalls();
    await reader.read(env);
    expect(ecr).toHaveReceivedCommandTimes(DescribeImageScanFindingsCommand, 1);
  });
});

describe('runningEcrImages', () => {
  it('keeps the running containers of the environment’s own registry, with a digest', () => {
    const container = (image: string, imageDigest?: string) => ({
      name: 'app',
      image,
      imageDigest,
    });
    const task = (lastStatus: string, containers: any[]) =>
      ({ taskArn: 't', lastStatus, containers } as any);
    expect(
      runningEcrImages(
        [
          task('RUNNING', [
            container(ecrImage('kler/a'), digest('a')),
            container(ecrImage('kler/b')),
            container(
              '222222222222.dkr.ecr.us-east-1.amazonaws.com/kler/c:1',
              digest('c'),
            ),
          ]),
          task('STOPPED', [container(ecrImage('kler/d'), digest('d'))]),
        ],
        { accountId: '222222222222', region: 'eu-west-1' },
      ),
    ).toEqual([{ repositoryName: 'kler/a', imageDigest: digest('a') }]);
  });
});
