import { componentEntity } from '../__testUtils__/fixtures';
import { AwsEnvironment } from '../services/aws/types';
import { collectServiceTargets, parseEcsServiceArn } from './serviceTargets';

const production: AwsEnvironment = {
  name: 'production',
  tier: 'production',
  accountId: '222222222222',
  region: 'eu-west-1',
  cluster: 'kler-production',
};
const development: AwsEnvironment = {
  ...production,
  name: 'development',
  accountId: '111111111111',
  cluster: 'kler-development',
};

describe('parseEcsServiceArn', () => {
  it('reads the region, account and cluster of a service ARN, old or new', () => {
    expect(
      parseEcsServiceArn(
        'arn:aws:ecs:eu-west-1:222222222222:service/kler-production/admin',
      ),
    ).toEqual({
      region: 'eu-west-1',
      accountId: '222222222222',
      cluster: 'kler-production',
    });
    expect(
      parseEcsServiceArn(' arn:aws:ecs:eu-west-1:222222222222:service/admin '),
    ).toEqual({
      region: 'eu-west-1',
      accountId: '222222222222',
      cluster: undefined,
    });
    expect(
      parseEcsServiceArn('arn:aws:ecs:eu-west-1:2:task/x'),
    ).toBeUndefined();
  });
});

describe('collectServiceTargets', () => {
  it('applies a named service everywhere and an ARN-only one to its environment', () => {
    const targets = collectServiceTargets([
      componentEntity('shop-api', { 'kler.io/ecs-service-name': 'shop-api' }),
      componentEntity('admin', {
        'aws.amazon.com/amazon-ecs-service-arn':
          'arn:aws:ecs:eu-west-1:222222222222:service/kler-production/admin',
      }),
    ]);
    expect([...targets.keys()].sort()).toEqual(['admin', 'shop-api']);
    expect(targets.get('shop-api')!.appliesTo(development)).toBe(true);
    expect(targets.get('admin')!.appliesTo(production)).toBe(true);
    expect(targets.get('admin')!.appliesTo(development)).toBe(false);
    expect(targets.get('admin')!.appliesTo(undefined)).toBe(false);
  });
});
