import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { environmentsApiRef } from '../../api';
import {
  healthyProduction,
  makeEnvironmentDetails,
  makeService,
} from '../../testing/fixtures';
import { createEnvironmentsApiMock } from '../../testing/mockApi';
import { LegacyOnCallPage } from './LegacyOnCallPage';

describe('LegacyOnCallPage', () => {
  it('brings its own On-call header for apps on the legacy frontend system', async () => {
    const api = createEnvironmentsApiMock();
    api.listEnvironments.mockResolvedValue({ items: [healthyProduction] });
    api.listProblems.mockResolvedValue({ items: [] });
    api.getEnvironment.mockResolvedValue(
      makeEnvironmentDetails(healthyProduction, [makeService('shop-api')]),
    );
    renderInTestApp(<LegacyOnCallPage />, {
      apis: [[environmentsApiRef, api]],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });
    expect(
      await screen.findByRole('region', { name: 'Environment Production' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: 'On-call' }),
    ).toBeInTheDocument();
  });
});
