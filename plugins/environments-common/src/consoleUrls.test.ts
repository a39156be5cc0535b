import {
  autoScalingGroupConsoleUrl,
  backupJobConsoleUrl,
  backupPlanConsoleUrl,
  backupProtectedResourceConsoleUrl,
  cloudWatchAlarmConsoleUrl,
  ecsClusterConsoleUrl,
  ecsServiceConsoleUrl,
  wellArchitectedLensReviewConsoleUrl,
  wellArchitectedWorkloadConsoleUrl,
} from './consoleUrls';

describe('console URLs', () => {
  it('point at the region of the resource', () => {
    expect(
      ecsServiceConsoleUrl('eu-central-1', 'kler-production', 'shop-api'),
    ).toBe(
      'https://eu-central-1.console.aws.amazon.com/ecs/v2/clusters/kler-production/services/shop-api/health?region=eu-central-1',
    );
    expect(
      ecsServiceConsoleUrl(
        'eu-west-1',
        'kler-production',
        'shop-api',
        'deployments',
      ),
    ).toBe(
      'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/kler-production/services/shop-api/deployments?region=eu-west-1',
    );
    expect(ecsClusterConsoleUrl('us-east-1', 'kler-development')).toBe(
      'https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/kler-development/services?region=us-east-1',
    );
  });

  it('encodes names that are not URL-safe', () => {
    expect(cloudWatchAlarmConsoleUrl('eu-west-1', 'shop-api 5xx > 1%')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/shop-api%205xx%20%3E%201%25',
    );
    expect(
      backupProtectedResourceConsoleUrl(
        'eu-west-1',
        'arn:aws:rds:eu-west-1:222222222222:db:shop-database',
      ),
    ).toBe(
      'https://eu-west-1.console.aws.amazon.com/backup/home?region=eu-west-1#/resources/arn%3Aaws%3Ards%3Aeu-west-1%3A222222222222%3Adb%3Ashop-database',
    );
    expect(autoScalingGroupConsoleUrl('eu-west-1', 'kler production')).toBe(
      'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#AutoScalingGroupDetails:id=kler%20production;view=details',
    );
  });

  it('links AWS Backup and Well-Architected pages', () => {
    expect(
      backupJobConsoleUrl('eu-west-1', 'D9A1C2B3-2C4D-6E8F-A0B1-0123456789AB'),
    ).toBe(
      'https://eu-west-1.console.aws.amazon.com/backup/home?region=eu-west-1#/jobs/backup/details/D9A1C2B3-2C4D-6E8F-A0B1-0123456789AB',
    );
    expect(backupPlanConsoleUrl('eu-west-1', 'plan-1')).toBe(
      'https://eu-west-1.console.aws.amazon.com/backup/home?region=eu-west-1#/backupplan/details/plan-1',
    );
    expect(
      wellArchitectedWorkloadConsoleUrl('eu-west-1', 'kler-production'),
    ).toBe(
      'https://eu-west-1.console.aws.amazon.com/wellarchitected/home?region=eu-west-1#/workload/kler-production/overview',
    );
    expect(wellArchitectedWorkloadConsoleUrl('eu-west-1')).toBe(
      'https://eu-west-1.console.aws.amazon.com/wellarchitected/home?region=eu-west-1#/workloads',
    );
    expect(
      wellArchitectedLensReviewConsoleUrl(
        'eu-west-1',
        'kler-production',
        'wellarchitected',
      ),
    ).toBe(
      'https://eu-west-1.console.aws.amazon.com/wellarchitected/home?region=eu-west-1#/workload/kler-production/lens/wellarchitected',
    );
  });
});
