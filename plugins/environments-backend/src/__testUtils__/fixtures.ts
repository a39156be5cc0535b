import { Entity } from '@backstage/catalog-model';
import {
  EcsService,
  EnvironmentSnapshot,
} from '@kler/plugin-environments-common';
import { AwsEnvironment, EnvironmentReader } from '../services/aws/types';

export function environmentEntity(
  name: string,
  annotations: Record<string, string> = {},
): Entity {
  const accountId = name === 'production' ? '222222222222' : '111111111111';
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      title: name[0].toUpperCase() + name.slice(1),
      annotations: {
        'kler.io/environment-tier':
          name === 'production' ? 'production' : 'development',
        'kler.io/aws-account-id': accountId,
        'kler.io/aws-region': 'eu-west-1',
        'kler.io/ecs-cluster': `kler-${name}`,
        'kler.io/backup-vault': `kler-${name}`,
        ...annotations,
      },
    },
    spec: { type: 'environment', owner: 'platform-team' },
  };
}

export function componentEntity(
  name: string,
  annotations: Record<string, string>,
  system?: string,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: {
      type: 'service',
      owner: 'shop-team',
      lifecycle: 'production',
      system,
    },
  };
}

export function ecsService(
  serviceName: string,
  overrides: Partial<EcsService> = {},
): EcsService {
  return {
    serviceName,
    serviceArn: `arn:aws:ecs:eu-west-1:111111111111:service/cluster/${serviceName}`,
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    deployments: [],
    events: [],
    tasks: [],
    targetGroupArns: [],
    targetHealth: [],
    alarms: [],
    ...overrides,
  };
}

export function snapshotOf(
  env: AwsEnvironment,
  services: EcsService[],
): EnvironmentSnapshot {
  const { endpoint: _endpoint, ...environment } = env;
  return {
    environment,
    readAt: new Date().toISOString(),
    cluster: {
      clusterName: env.cluster,
      clusterArn: `arn:aws:ecs:${env.region}:${env.accountId}:cluster/${env.cluster}`,
      status: 'ACTIVE',
      runningTasksCount: 0,
      pendingTasksCount: 0,
      activeServicesCount: services.length,
      registeredContainerInstancesCount: 0,
      capacityProviders: [],
      alarms: [],
    },
    services,
    readErrors: [],
  };
}

/** A reader that serves scripted services per environment, or fails for the names in `failing`. */
export class FakeEnvironmentReader implements EnvironmentReader {
  readonly calls: string[] = [];
  failing = new Set<string>();

  constructor(public servicesByEnvironment: Record<string, EcsService[]>) {}

  async read(env: AwsEnvironment): Promise<EnvironmentSnapshot> {
    this.calls.push(env.name);
    if (this.failing.has(env.name)) {
      const error = new Error(
        `User is not authorized to perform ecs:DescribeClusters`,
      );
      error.name = 'AccessDeniedException';
      throw error;
    }
    return snapshotOf(env, this.servicesByEnvironment[env.name] ?? []);
  }
}
