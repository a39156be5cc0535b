import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import DashboardIcon from '@material-ui/icons/Dashboard';
import { environmentsApiRef, EnvironmentsClient } from './api';
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
  extensions: [environmentsApi, onCallPage],
  routes: {
    root: rootRouteRef,
  },
});
