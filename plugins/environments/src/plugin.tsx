import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import DashboardIcon from '@mui/icons-material/Dashboard';
import { isEnvironmentEntity } from '@kler/plugin-environments-common';
import { environmentsApiRef, EnvironmentsClient } from './api';
import { isEnvironmentsAvailable } from './filters';
import { rootRouteRef } from './routes';

export const environmentsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: environmentsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new EnvironmentsClient({ discoveryApi, fetchApi }),
    }),
});

export const onCallPage = PageBlueprint.make({
  params: {
    path: '/environments',
    title: 'On-call',
    icon: <DashboardIcon fontSize="inherit" />,
    routeRef: rootRouteRef,
    loader: () => import('./components/OnCallPage').then(m => <m.OnCallPage />),
  },
});

export const entityEnvironmentsContent = EntityContentBlueprint.make({
  params: {
    path: 'environments',
    title: 'Environments',
    filter: isEnvironmentsAvailable,
    loader: () =>
      import('./components/EntityEnvironmentsContent').then(m => (
        <m.EntityEnvironmentsContent />
      )),
  },
});

export const entityEnvironmentsOverviewCard = EntityCardBlueprint.make({
  name: 'overview',
  params: {
    filter: isEnvironmentsAvailable,
    loader: () =>
      import('./components/EntityEnvironmentsOverviewCard').then(m => (
        <m.EntityEnvironmentsOverviewCard />
      )),
  },
});

export const entityEnvironmentContent = EntityContentBlueprint.make({
  name: 'environment',
  params: {
    path: 'environment',
    title: 'Environment',
    filter: isEnvironmentEntity,
    loader: () =>
      import('./components/EnvironmentContent').then(m => (
        <m.EntityEnvironmentContent />
      )),
  },
});

/**
 * The environments plugin for the new frontend system: the on-call page, the
 * entity tabs and card, and the API client.
 *
 * @public
 */
export const environmentsPlugin = createFrontendPlugin({
  pluginId: 'environments',
  title: 'On-call',
  icon: <DashboardIcon fontSize="inherit" />,
  info: { packageJson: () => import('../package.json') },
  extensions: [
    environmentsApi,
    onCallPage,
    entityEnvironmentsContent,
    entityEnvironmentsOverviewCard,
    entityEnvironmentContent,
  ],
  routes: {
    root: rootRouteRef,
  },
});
