import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';

// A minimal backend for working on the plugin alone: `yarn start` in this
// package, with KLER's two environments in a mock catalog. Point them at a local
// AWS endpoint with `environments.environments[].endpoint` in app-config.local.yaml.
//
//   curl http://localhost:7007/api/environments/v1/environments
//   curl http://localhost:7007/api/environments/v1/environments/production
//   curl 'http://localhost:7007/api/environments/v1/problems?minSeverity=high'

const backend = createBackend();

backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());

const environment = (name: string, accountId: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name,
    annotations: {
      'kler.io/environment-tier': name,
      'kler.io/aws-account-id': accountId,
      'kler.io/aws-region': 'eu-west-1',
      'kler.io/ecs-cluster': `kler-${name}`,
      'kler.io/backup-vault': `kler-${name}`,
      'kler.io/well-architected-workload-id': `kler-${name}`,
    },
  },
  spec: { type: 'environment', owner: 'platform-team' },
});

backend.add(
  catalogServiceMock.factory({
    entities: [
      environment('production', '222222222222'),
      environment('development', '111111111111'),
    ],
  }),
);

backend.add(import('../src'));

backend.start();
