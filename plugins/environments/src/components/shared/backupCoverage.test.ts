import { BackupState } from '@kler/plugin-environments-common';
import { backupCoverageRows } from './backupCoverage';

const efs =
  'arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/fs-media';
const rds = 'arn:aws:rds:eu-west-1:222222222222:db:shop-database';

describe('backupCoverageRows', () => {
  it('names the plans whose selections pick each resource, by ARN or by tag', () => {
    const backup: BackupState = {
      vaultName: 'kler-staging',
      plans: [
        {
          backupPlanId: 'by-tag',
          backupPlanName: 'kler-staging-daily',
          rules: [],
          resourceArns: ['*'],
          selections: [
            {
              resources: ['*'],
              notResources: [],
              anyOfTags: [],
              conditions: {
                stringEquals: [{ key: 'kler:backup', value: 'true' }],
                stringNotEquals: [],
                stringLike: [],
                stringNotLike: [],
              },
            },
          ],
        },
        {
          backupPlanId: 'by-arn',
          backupPlanName: 'database-hourly',
          rules: [],
          resourceArns: [rds],
        },
      ],
      protectedResources: [],
      jobs: [],
      candidates: [
        {
          resourceArn: efs,
          resourceType: 'EFS',
          resourceName: 'shop-media',
          tags: { 'kler:backup': 'true' },
        },
        {
          resourceArn: rds,
          resourceType: 'RDS',
          resourceName: 'shop-database',
          tags: {},
        },
      ],
    };
    expect(
      backupCoverageRows(backup).map(row => [row.resourceName, row.planNames]),
    ).toEqual([
      ['shop-media', ['kler-staging-daily']],
      ['shop-database', ['database-hourly']],
    ]);
  });
});
