import { screen, within } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { environmentsApiRef } from '../../api';
import { entityEnvironments, makeSummary } from '../../testing/fixtures';
import {
  createEnvironmentsApiMock,
  permissionDeniedError,
} from '../../testing/mockApi';
import { EntityEnvironmentsOverviewCard } from './EntityEnvironmentsOverviewCard';

jest.setTimeout(30_000);

const storefront: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'shop-api',
    annotations: {
      'aws.amazon.com/amazon-ecs-service-arn':
        'arn:aws:ecs:eu-west-1:222222222222:service/kler-production/shop-api',
    },
  },
  spec: { type: 'service' },
};

function renderCard(
  api: ReturnType<typeof createEnvironmentsApiMock>,
  entity: Entity = storefront,
) {
  return renderInTestApp(
    <EntityProvider entity={entity}>
      <EntityEnvironmentsOverviewCard />
    </EntityProvider>,
    { apis: [[environmentsApiRef, api]] },
  );
}

describe('EntityEnvironmentsOverviewCard', () => {
  it('shows each environment at a glance, production first', async () => {
    const api = createEnvironmentsApiMock();
    api.getEntityEnvironments.mockResolvedValue(entityEnvironments);
    renderCard(api);
    const sections = await screen.findAllByRole('region', {
      name: /^Environment /,
    });
    expect(sections.map(s => s.getAttribute('aria-label'))).toEqual([
      'Environment Production',
      'Environment Development',
    ]);
    expect(
      within(sections[0]).getByRole('img', {
        name: 'shop-api in Production: Error',
      }),
    ).toBeInTheDocument();
    expect(
      within(sections[0]).getByText(/^1\/3 running, 1 pending, rolling out/),
    ).toBeInTheDocument();
    expect(
      within(sections[0]).getByText('shop-api runs 1 of 3 tasks'),
    ).toBeInTheDocument();
    expect(
      within(sections[1]).getByRole('img', {
        name: 'shop-api in Development: Healthy',
      }),
    ).toBeInTheDocument();
    expect(within(sections[1]).getByText('2/2 running')).toBeInTheDocument();
    expect(screen.getByText('Sandbox data')).toBeInTheDocument();
  });

  it('shows a broken environment with its error and a stale one with a badge', async () => {
    const api = createEnvironmentsApiMock();
    api.getEntityEnvironments.mockResolvedValue({
      ...entityEnvironments,
      environments: [
        {
          summary: makeSummary({
            name: 'production',
            refreshedAt: undefined,
            error: { name: 'AccessDenied', message: 'no access to ecs' },
          }),
          services: [],
        },
        {
          ...entityEnvironments.environments[0],
          summary: makeSummary({ name: 'development', stale: true }),
        },
      ],
    });
    renderCard(api);
    expect(
      await screen.findByText(
        'Could not read this environment: no access to ecs',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('Stale')).toBeInTheDocument();
    expect(
      screen.getByRole('img', { name: 'shop-api in Development: Healthy' }),
    ).toBeInTheDocument();
  });

  it('shows an empty state without environments', async () => {
    const api = createEnvironmentsApiMock();
    api.getEntityEnvironments.mockResolvedValue({
      ...entityEnvironments,
      environments: [],
    });
    renderCard(api);
    expect(
      await screen.findByText('No environments are configured yet.'),
    ).toBeInTheDocument();
  });

  it('shows the permission state on 403', async () => {
    const api = createEnvironmentsApiMock();
    api.getEntityEnvironments.mockImplementation(async () => {
      throw await permissionDeniedError();
    });
    renderCard(api);
    expect(
      await screen.findByText("You don't have permission to view environments"),
    ).toBeInTheDocument();
  });

  it('shows the missing annotation state', async () => {
    const api = createEnvironmentsApiMock();
    renderCard(api, {
      ...storefront,
      metadata: { name: 'no-service' },
    });
    expect(await screen.findByText(/Missing Annotation/i)).toBeInTheDocument();
  });

  it('shows a progress bar while loading', async () => {
    const api = createEnvironmentsApiMock();
    api.getEntityEnvironments.mockReturnValue(new Promise(() => {}));
    renderCard(api);
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });
});
