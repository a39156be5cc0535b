import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import type { RunningSandbox } from '../server';
import { clientConfig, DEVELOPMENT, startKlerSandbox } from '../testUtils';

describe('Resource Groups Tagging API', () => {
  let sandbox: RunningSandbox;
  let client: ResourceGroupsTaggingAPIClient;
  beforeAll(async () => {
    sandbox = await startKlerSandbox();
    client = new ResourceGroupsTaggingAPIClient(
      clientConfig(sandbox.url, DEVELOPMENT),
    );
  });
  afterAll(() => sandbox.close());

  it("finds the environment's file system and database by tag and type", async () => {
    const out = await client.send(
      new GetResourcesCommand({
        TagFilters: [{ Key: 'kler:environment', Values: ['development'] }],
        ResourceTypeFilters: ['elasticfilesystem:file-system', 'rds:db'],
      }),
    );
    expect(out.ResourceTagMappingList!.map(r => r.ResourceARN)).toEqual([
      expect.stringMatching(
        /^arn:aws:elasticfilesystem:eu-west-1:111111111111:file-system\/fs-/,
      ),
      'arn:aws:rds:eu-west-1:111111111111:db:shop-database',
    ]);
    expect(out.PaginationToken).toBe('');
    const rdsOnly = await client.send(
      new GetResourcesCommand({
        ResourceTypeFilters: ['rds:db'],
        ResourcesPerPage: 1,
      }),
    );
    expect(rdsOnly.ResourceTagMappingList).toHaveLength(1);
    const other = await client.send(
      new GetResourcesCommand({
        TagFilters: [{ Key: 'kler:environment', Values: ['production'] }],
      }),
    );
    expect(other.ResourceTagMappingList).toEqual([]);
  });

  it('rejects ResourcesPerPage above 100', async () => {
    await expect(
      client.send(new GetResourcesCommand({ ResourcesPerPage: 101 })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });
});
