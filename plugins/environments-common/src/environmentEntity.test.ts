import { Entity } from '@backstage/catalog-model';
import {
  getEcsServiceNames,
  isEnvironmentEntity,
  readEnvironmentFromEntity,
} from './environmentEntity';

function environmentEntity(
  annotations: Record<string, string>,
  spec: Entity['spec'] = {
    type: 'environment',
    lifecycle: 'production',
  },
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: 'production',
      title: 'Production',
      annotations,
    },
    spec,
  };
}

const PRODUCTION_ANNOTATIONS = {
  'kler.io/environment-tier': 'production',
  'kler.io/aws-account-id': '222222222222',
  'kler.io/aws-region': 'eu-west-1',
  'kler.io/ecs-cluster': 'kler-production',
  'kler.io/backup-vault': 'kler-production',
  'kler.io/well-architected-workload-id': 'kler-production',
};

describe('readEnvironmentFromEntity', () => {
  it('reads every annotation', () => {
    expect(
      readEnvironmentFromEntity(environmentEntity(PRODUCTION_ANNOTATIONS)),
    ).toEqual({
      name: 'production',
      title: 'Production',
      tier: 'production',
      accountId: '222222222222',
      region: 'eu-west-1',
      cluster: 'kler-production',
      backupVault: 'kler-production',
      wellArchitectedWorkloadId: 'kler-production',
      entityRef: 'resource:default/production',
    });
  });

  it('leaves out the optional annotations when absent', () => {
    const {
      'kler.io/backup-vault': _vault,
      'kler.io/well-architected-workload-id': _workload,
      ...required
    } = PRODUCTION_ANNOTATIONS;
    const environment = readEnvironmentFromEntity(environmentEntity(required));
    expect(environment).not.toHaveProperty('backupVault');
    expect(environment).not.toHaveProperty('wellArchitectedWorkloadId');
  });

  it.each([
    ['production', 'production'],
    ['experimental', 'development'],
    [undefined, 'development'],
  ])(
    'takes the tier from spec.lifecycle %p when the annotation is missing',
    (lifecycle, tier) => {
      const { 'kler.io/environment-tier': _tier, ...rest } =
        PRODUCTION_ANNOTATIONS;
      expect(
        readEnvironmentFromEntity(
          environmentEntity(rest, { type: 'environment', lifecycle }),
        ).tier,
      ).toBe(tier);
    },
  );

  it('prefers the tier annotation over the lifecycle', () => {
    expect(
      readEnvironmentFromEntity(
        environmentEntity({
          ...PRODUCTION_ANNOTATIONS,
          'kler.io/environment-tier': 'development',
        }),
      ).tier,
    ).toBe('development');
  });

  it.each([
    'kler.io/aws-account-id',
    'kler.io/aws-region',
    'kler.io/ecs-cluster',
  ])('names the missing annotation %s', annotation => {
    const annotations: Record<string, string> = { ...PRODUCTION_ANNOTATIONS };
    delete annotations[annotation];
    expect(() =>
      readEnvironmentFromEntity(environmentEntity(annotations)),
    ).toThrow(
      `Environment resource:default/production is missing the annotation ${annotation}`,
    );
  });

  it('treats a blank annotation as missing', () => {
    expect(() =>
      readEnvironmentFromEntity(
        environmentEntity({
          ...PRODUCTION_ANNOTATIONS,
          'kler.io/ecs-cluster': '  ',
        }),
      ),
    ).toThrow('missing the annotation kler.io/ecs-cluster');
  });

  it.each([
    ['kler.io/aws-account-id', '22222222222'],
    ['kler.io/aws-account-id', '2222222222222'],
    ['kler.io/aws-account-id', '22222222222a'],
    ['kler.io/aws-region', 'Europe'],
    ['kler.io/aws-region', 'eu-west'],
    ['kler.io/aws-region', 'EU-WEST-1'],
    ['kler.io/ecs-cluster', 'kler production'],
    ['kler.io/ecs-cluster', 'a'.repeat(256)],
    ['kler.io/ecs-cluster', 'kler/production'],
    ['kler.io/environment-tier', 'staging'],
    ['kler.io/backup-vault', 'v'],
    ['kler.io/backup-vault', 'vault with spaces'],
  ])('rejects %s = %p, naming annotation and value', (annotation, value) => {
    expect(() =>
      readEnvironmentFromEntity(
        environmentEntity({ ...PRODUCTION_ANNOTATIONS, [annotation]: value }),
      ),
    ).toThrow(
      `Environment resource:default/production has an invalid annotation ${annotation}: "${value}"`,
    );
  });

  it.each(['us-gov-west-1', 'ap-southeast-2', 'cn-north-1', 'il-central-1'])(
    'accepts the region %s',
    region => {
      expect(
        readEnvironmentFromEntity(
          environmentEntity({
            ...PRODUCTION_ANNOTATIONS,
            'kler.io/aws-region': region,
          }),
        ).region,
      ).toBe(region);
    },
  );
});

describe('isEnvironmentEntity', () => {
  it('accepts a Resource of type environment only', () => {
    expect(isEnvironmentEntity(environmentEntity({}))).toBe(true);
    expect(
      isEnvironmentEntity(environmentEntity({}, { type: 'database' })),
    ).toBe(false);
    expect(
      isEnvironmentEntity({
        ...environmentEntity({}),
        kind: 'Component',
      }),
    ).toBe(false);
  });

  it('ignores case, as the catalog filter kind=resource,spec.type=environment does', () => {
    expect(
      isEnvironmentEntity({
        ...environmentEntity({}, { type: 'Environment' }),
        kind: 'resource',
      }),
    ).toBe(true);
    expect(
      isEnvironmentEntity(environmentEntity({}, { type: ['ENVIRONMENT'] })),
    ).toBe(true);
    expect(isEnvironmentEntity(environmentEntity({}, {}))).toBe(false);
  });
});

describe('getEcsServiceNames', () => {
  function component(annotations: Record<string, string>): Entity {
    return {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'shop', annotations },
      spec: { type: 'service' },
    };
  }

  it('reads the KLER annotation, comma separated, without blanks or duplicates', () => {
    expect(
      getEcsServiceNames(
        component({
          'kler.io/ecs-service-name': ' shop-api, order-worker,,shop-api ',
        }),
      ),
    ).toEqual(['shop-api', 'order-worker']);
  });

  it('prefers the KLER annotation over the ECS plugin ARN', () => {
    expect(
      getEcsServiceNames(
        component({
          'kler.io/ecs-service-name': 'storefront',
          'aws.amazon.com/amazon-ecs-service-arn':
            'arn:aws:ecs:eu-west-1:222222222222:service/kler-production/shop-api',
        }),
      ),
    ).toEqual(['storefront']);
  });

  it.each([
    'arn:aws:ecs:eu-west-1:222222222222:service/kler-production/shop-api',
    'arn:aws:ecs:eu-west-1:222222222222:service/shop-api',
  ])('reads the service name from the ARN %s', arn => {
    expect(
      getEcsServiceNames(
        component({ 'aws.amazon.com/amazon-ecs-service-arn': arn }),
      ),
    ).toEqual(['shop-api']);
  });

  it('returns nothing without the annotations or with a foreign ARN', () => {
    expect(getEcsServiceNames(component({}))).toEqual([]);
    expect(
      getEcsServiceNames(
        component({
          'aws.amazon.com/amazon-ecs-service-arn':
            'arn:aws:lambda:eu-west-1:222222222222:function:shop-api',
        }),
      ),
    ).toEqual([]);
  });
});
