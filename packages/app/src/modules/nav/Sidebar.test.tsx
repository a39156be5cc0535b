import { screen } from '@testing-library/react';
import { renderTestApp } from '@backstage/frontend-test-utils';
import environmentsPlugin from '@kler/plugin-environments';
import { navModule } from './index';

describe('Sidebar', () => {
  it('links to the environments on-call page', async () => {
    renderTestApp({ features: [navModule, environmentsPlugin] });
    const link = await screen.findByRole('link', { name: /On-call/ });
    expect(link).toHaveAttribute('href', '/environments');
  });
});
