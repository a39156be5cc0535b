import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { environmentsApiRef, EnvironmentsClient } from './api';

/** The on-call page's route in an app on the legacy frontend system. */
export const legacyRootRouteRef = createRouteRef({ id: 'environments' });

/**
 * The environments plugin for apps on the legacy frontend system.
 *
 * @public
 */
export const environmentsLegacyPlugin = createPlugin({
  id: 'environments',
  apis: [
    createApiFactory({
      api: environmentsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new EnvironmentsClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: legacyRootRouteRef },
});

/**
 * The on-call page, with its own header, for `<Route path="/environments" element={<EnvironmentsPage />} />`.
 *
 * @public
 */
export const EnvironmentsPage = environmentsLegacyPlugin.provide(
  createRoutableExtension({
    name: 'EnvironmentsPage',
    component: () =>
      import('./components/OnCallPage/LegacyOnCallPage').then(
        m => m.LegacyOnCallPage,
      ),
    mountPoint: legacyRootRouteRef,
  }),
);

/**
 * The "Environments" tab of a Component or System; use with `isEnvironmentsAvailable`.
 *
 * @public
 */
export const EntityEnvironmentsContent = environmentsLegacyPlugin.provide(
  createComponentExtension({
    name: 'EntityEnvironmentsContent',
    component: {
      lazy: () =>
        import('./components/EntityEnvironmentsContent').then(
          m => m.EntityEnvironmentsContent,
        ),
    },
  }),
);

/**
 * The overview card of a Component or System.
 *
 * @public
 */
export const EntityEnvironmentsOverviewCard = environmentsLegacyPlugin.provide(
  createComponentExtension({
    name: 'EntityEnvironmentsOverviewCard',
    component: {
      lazy: () =>
        import('./components/EntityEnvironmentsOverviewCard').then(
          m => m.EntityEnvironmentsOverviewCard,
        ),
    },
  }),
);

/**
 * The "Environment" tab of a Resource of spec.type environment; use with `isEnvironmentEntity`.
 *
 * @public
 */
export const EntityEnvironmentContent = environmentsLegacyPlugin.provide(
  createComponentExtension({
    name: 'EntityEnvironmentContent',
    component: {
      lazy: () =>
        import('./components/EnvironmentContent').then(
          m => m.EntityEnvironmentContent,
        ),
    },
  }),
);
