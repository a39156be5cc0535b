import {
  DescribeImageScanFindingsCommand,
  ECRClient,
} from '@aws-sdk/client-ecr';
import {
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import type { RunningSandbox } from '../server';
import {
  clientConfig,
  DEVELOPMENT,
  PEAK,
  PRODUCTION,
  startKlerSandbox,
} from '../testUtils';

async function runningDigest(
  ecs: ECSClient,
  cluster: string,
  serviceName: string,
) {
  const { taskArns } = await ecs.send(
    new ListTasksCommand({ cluster, serviceName }),
  );
  const { tasks } = await ecs.send(
    new DescribeTasksCommand({ cluster, tasks: taskArns!.slice(0, 1) }),
  );
  return tasks![0].containers![0].imageDigest!;
}

describe('Elastic Container Registry', () => {
  let sandbox: RunningSandbox;
  let production: ECRClient;
  let productionEcs: ECSClient;
  beforeAll(async () => {
    sandbox = await startKlerSandbox(PEAK);
    production = new ECRClient(clientConfig(sandbox.url, PRODUCTION));
    productionEcs = new ECSClient(clientConfig(sandbox.url, PRODUCTION));
  });
  afterAll(() => sandbox.close());

  it('counts the findings of the digest a task runs, by severity', async () => {
    const imageDigest = await runningDigest(
      productionEcs,
      'kler-production',
      'shop-api',
    );
    const answer = await production.send(
      new DescribeImageScanFindingsCommand({
        repositoryName: 'kler/shop-api',
        imageId: { imageDigest },
        maxResults: 5,
      }),
    );
    expect(answer.imageScanStatus!.status).toBe('COMPLETE');
    expect(answer.imageScanFindings!.findingSeverityCounts).toEqual({
      CRITICAL: 1,
      HIGH: 3,
      MEDIUM: 7,
    });
    expect(answer.imageScanFindings!.findings).toHaveLength(5);
    expect(answer.imageScanFindings!.findings![0].severity).toBe('CRITICAL');
    expect(answer.nextToken).toBeDefined();
    const rest = await production.send(
      new DescribeImageScanFindingsCommand({
        repositoryName: 'kler/shop-api',
        imageId: { imageDigest },
        nextToken: answer.nextToken,
      }),
    );
    expect(rest.imageScanFindings!.findings).toHaveLength(6);
    expect(rest.nextToken).toBeUndefined();
  });

  it('has no findings for a clean image', async () => {
    const imageDigest = await runningDigest(
      productionEcs,
      'kler-production',
      'storefront',
    );
    const answer = await production.send(
      new DescribeImageScanFindingsCommand({
        repositoryName: 'kler/storefront',
        imageId: { imageDigest },
      }),
    );
    expect(answer.imageScanFindings!.findingSeverityCounts).toEqual({});
  });

  it('answers unknown repositories, images and unscanned images as ECR does', async () => {
    await expect(
      production.send(
        new DescribeImageScanFindingsCommand({
          repositoryName: 'kler/nothing',
          imageId: { imageDigest: `sha256:${'0'.repeat(64)}` },
        }),
      ),
    ).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
    await expect(
      production.send(
        new DescribeImageScanFindingsCommand({
          repositoryName: 'kler/shop-api',
          imageId: { imageDigest: `sha256:${'0'.repeat(64)}` },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ImageNotFoundException' });
    const development = new ECRClient(clientConfig(sandbox.url, DEVELOPMENT));
    const developmentEcs = new ECSClient(
      clientConfig(sandbox.url, DEVELOPMENT),
    );
    const imageDigest = await runningDigest(
      developmentEcs,
      'kler-development',
      'image-service',
    );
    await expect(
      development.send(
        new DescribeImageScanFindingsCommand({
          repositoryName: 'kler/image-service',
          imageId: { imageDigest },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ScanNotFoundException' });
  });
});
