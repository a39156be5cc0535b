import { Entity } from '@backstage/catalog-model';
import { Content } from '@backstage/core-components';
import { createDevApp } from '@backstage/frontend-dev-utils';
import {
  ApiBlueprint,
  createFrontendModule,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import Grid from '@mui/material/Grid';
import plugin, { environmentsApiRef } from '../src';
import { EntityEnvironmentsContent } from '../src/components/EntityEnvironmentsContent';
import { EntityEnvironmentsOverviewCard } from '../src/components/EntityEnvironmentsOverviewCard';
import { EntityEnvironmentContent } from '../src/components/EnvironmentContent';
import { FixtureEnvironmentsApi } from './fixtureEnvironmentsApi';

const shopApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'shop-api',
    namespace: 'default',
    annotations: { 'kler.io/ecs-service-name': 'shop-api' },
  },
  spec: { type: 'service', dependsOn: ['resource:shop-database'] },
};

const production: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'production', namespace: 'default', title: 'Production' },
  spec: { type: 'environment' },
};

// Fixture data instead of a backend, and stand-ins for the catalog's pages.
const devModule = createFrontendModule({
  pluginId: 'environments',
  extensions: [
    ApiBlueprint.make({
      params: defineParams =>
        defineParams({
          api: environmentsApiRef,
          deps: {},
          factory: () => new FixtureEnvironmentsApi(),
        }),
    }),
    PageBlueprint.make({
      name: 'dev-entity',
      params: {
        path: '/dev/shop-api',
        title: 'Dev: shop-api',
        loader: async () => (
          <EntityProvider entity={shopApi}>
            <Content>
              <Grid container spacing={3}>
                <Grid item xs={12} md={6}>
                  <EntityEnvironmentsOverviewCard refreshIntervalMs={5000} />
                </Grid>
                <Grid item xs={12}>
                  <EntityEnvironmentsContent refreshIntervalMs={5000} />
                </Grid>
              </Grid>
            </Content>
          </EntityProvider>
        ),
      },
    }),
    PageBlueprint.make({
      name: 'dev-environment',
      params: {
        path: '/catalog/:namespace/:kind/:name',
        routeRef: entityRouteRef,
        title: 'Dev: environment',
        loader: async () => (
          <EntityProvider entity={production}>
            <Content>
              <EntityEnvironmentContent />
            </Content>
          </EntityProvider>
        ),
      },
    }),
  ],
});

createDevApp({ features: [plugin, devModule] });
