import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Entity } from '@backstage/catalog-model';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { environmentsApiRef } from '../../api';
import {
  entityEnvironments,
  healthyProduction,
  makeEnvironmentDetails,
  makeService,
  makeServiceEvaluation,
  makeSummary,
} from '../../testing/fixtures';
import {
  createEnvironmentsApiMock,
  permissionDeniedError,
} from '../../testing/mockApi';
import { EntityEnvironmentsContent } from './EntityEnvironmentsContent';
import { clearCapacityHistory } from './serviceHistory';

jest.setTimeout(30_000);

const shopApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'shop-api',
    namespace: 'default',
    annotations: { 'kler.io/ecs-service-name': 'shop-api' },
  },
  spec: {
    type: 'service',
    owner: 'shop-team',
    dependsOn: ['resource:shop-database'],
  },
};

function renderContent(
  api: ReturnType<typeof createEnvironmentsApiMock>,
  entity: Entity = shopApi,
  refreshIntervalMs?: number,
) {
  return renderInTestApp(
    <EntityProvider entity={entity}>
      <EntityEnvironmentsContent refreshIntervalMs={refreshIntervalMs} />
    </EntityProvider>,
    { apis: [[environmentsApiRef, api]] },
  );
}

describe('EntityEnvironmentsContent', () => {
  beforeEach(() => clearCapacityHistory());

  it('shows the missing annotation state for entities without a service', async () => {
    const api = createEnvironmentsApiMock();
    renderContent(api, {
      ...shopApi,
      metadata: { name: 'docs', annotations: {} },
    });
    expect(await screen.findByText(/Missing Annotation/i)).toBeInTheDocument();
    expect(
      screen.getAllByText(/kler.io\/ecs-service-name/).length,
    ).toBeGreaterThan(0);
    expect(api.getEntityEnvironments).not.toHaveBeenCalled();
  });

  it('shows a progress bar while loading', async () => {
    const api = createEnvironmentsApiMock();
    api.getEntityEnvironments.mockReturnValue(new Promise(() => {}));
    renderContent(api);
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });

  it('shows the service side by side per environment, production first', async () => {
    const api = createEnvironmentsApiMock();
    api.getEntityEnvironments.mockResolvedValue(entityEnvironments);
    api.getEnvironment.mockImplementation(async name =>
      makeEnvironmentDetails(makeSummary({ name }), [makeService('shop-api')]),
    );
    renderContent(api);

    const columns = await screen.findAllByRole('region', {
      name: /^Environment /,
    });
    expect(columns.map(c => c.getAttribute('aria-label'))).toEqual([
      'Environment Production',
      'Environment Development',
    ]);
    expect(api.getEntityEnvironments).toHaveBeenCalledWith({
      namespace: 'default',
      kind: 'Component',
      name: 'shop-api',
    });

    const production = within(columns[0]);
    expect(
      production.getByRole('img', { name: 'shop-api in Production: Error' }),
    ).toBeInTheDocument();
    expect(
      production.getByText(/^1\/3 running, 1 pending, rolling out/),
    ).toBeInTheDocument();
    expect(
      production.getByText(/Rollout: IN_PROGRESS, 2 failed tasks/),
    ).toBeInTheDocument();
    expect(
      production.getByText('shop-api runs 1 of 3 tasks'),
    ).toBeInTheDocument();
    // A problem is one line; it opens to its fix.
    expect(
      production.queryByText(/Raise the task memory/),
    ).not.toBeInTheDocument();
    await userEvent.click(
      production.getByRole('button', { name: /shop-api runs 1 of 3 tasks/ }),
    );
    expect(production.getByText(/Raise the task memory/)).toBeInTheDocument();
    expect(
      production.getByText(/shop-api: exit code 137 \(OutOfMemoryError/),
    ).toBeInTheDocument();
    expect(production.getByText('0 of 1 targets healthy')).toBeInTheDocument();
    expect(
      production.getByText(
        /10.0.1.12:8080 unhealthy – Target.ResponseCodeMismatch/,
      ),
    ).toBeInTheDocument();
    expect(
      production.getByRole('img', { name: 'Alarm shop-api-5xx: Error' }),
    ).toBeInTheDocument();
    expect(
      production.getByText('min 1 / desired 3 / max 4'),
    ).toBeInTheDocument();
    expect(
      production.getByRole('img', {
        name: /shop-api: desired vs running tasks since page opened, 1 samples, now 1 running of 3 desired/,
      }),
    ).toBeInTheDocument();

    const development = within(columns[1]);
    expect(
      development.getByRole('img', {
        name: 'shop-api in Development: Healthy',
      }),
    ).toBeInTheDocument();
    expect(development.getByText('No problems.')).toBeInTheDocument();

    // backups of the resources the component depends on
    const backups = await production.findByRole('table', {
      name: 'Backup coverage',
    });
    expect(within(backups).getByText('shop-database')).toBeInTheDocument();
    expect(within(backups).queryByText('shop-media')).not.toBeInTheDocument();
    expect(
      within(backups).getByRole('img', {
        name: 'shop-database backup plan: Error',
      }),
    ).toBeInTheDocument();
    expect(within(backups).getByText('FAILED')).toBeInTheDocument();
    expect(api.getEnvironment).toHaveBeenCalledWith('production');
  });

  it('plots the desired and running counts polled since the page opened', async () => {
    const api = createEnvironmentsApiMock();
    const answer = (running: number) => ({
      ...entityEnvironments,
      environments: [
        {
          summary: healthyProduction,
          services: [
            {
              service: makeService('shop-api', {
                desiredCount: 3,
                runningCount: running,
              }),
              evaluation: makeServiceEvaluation('shop-api', 'ok'),
            },
          ],
        },
      ],
    });
    api.getEntityEnvironments
      .mockResolvedValueOnce(answer(1))
      .mockResolvedValueOnce(answer(2))
      .mockResolvedValue(answer(3));
    renderContent({ ...api }, { ...shopApi, spec: { type: 'service' } }, 100);
    expect(
      await screen.findByRole(
        'img',
        {
          name: /tasks since page opened, 3 samples, now 3 running of 3 desired/,
        },
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    expect(document.querySelectorAll('polyline')).toHaveLength(2);
  });

  it('shows a broken environment with its error and the other normally', async () => {
    const api = createEnvironmentsApiMock();
    api.getEntityEnvironments.mockResolvedValue({
      ...entityEnvironments,
      environments: [
        entityEnvironments.environments[0],
        {
          summary: makeSummary({
            name: 'production',
            refreshedAt: undefined,
            status: 'unknown',
            error: { name: 'ExpiredTokenException', message: 'token expired' },
          }),
          services: [],
        },
      ],
    });
    renderContent(api, { ...shopApi, spec: { type: 'service' } });
    const production = await screen.findByRole('region', {
      name: 'Environment Production',
    });
    expect(
      within(production).getByText(
        'Could not read this environment: ExpiredTokenException: token expired',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('img', { name: 'shop-api in Development: Healthy' }),
    ).toBeInTheDocument();
  });

  it('shows stale and sandbox notices', async () => {
    const api = createEnvironmentsApiMock();
    api.getEntityEnvironments.mockResolvedValue({
      ...entityEnvironments,
      environments: [
        {
          ...entityEnvironments.environments[0],
          summary: makeSummary({
            name: 'development',
            stale: true,
            error: { name: 'ThrottlingException', message: 'Rate exceeded' },
          }),
        },
      ],
    });
    renderContent(api, { ...shopApi, spec: { type: 'service' } });
    expect(await screen.findByText('Stale')).toBeInTheDocument();
    expect(screen.getByText('Sandbox data')).toBeInTheDocument();
  });

  it('says when the service is not deployed in an environment', async () => {
    const api = createEnvironmentsApiMock();
    api.getEntityEnvironments.mockResolvedValue({
      ...entityEnvironments,
      environments: [{ summary: healthyProduction, services: [] }],
    });
    renderContent(api, { ...shopApi, spec: { type: 'service' } });
    expect(
      await screen.findByText(
        'No ECS service named shop-api in cluster kler-production.',
      ),
    ).toBeInTheDocument();
  });

  it('says so when no environment is configured', async () => {
    const api = createEnvironmentsApiMock();
    api.getEntityEnvironments.mockResolvedValue({
      ...entityEnvironments,
      environments: [],
    });
    renderContent(api);
    expect(
      await screen.findByText('No environments are configured yet.'),
    ).toBeInTheDocument();
  });

  it('shows the permission state on 403', async () => {
    const api = createEnvironmentsApiMock();
    api.getEntityEnvironments.mockImplementation(async () => {
      throw await permissionDeniedError();
    });
    renderContent(api);
    expect(
      await screen.findByText("You don't have permission to view environments"),
    ).toBeInTheDocument();
  });

  it('shows other errors in an error panel', async () => {
    const api = createEnvironmentsApiMock();
    api.getEntityEnvironments.mockRejectedValue(new Error('gateway timeout'));
    renderContent(api);
    expect(
      (await screen.findAllByText(/gateway timeout/)).length,
    ).toBeGreaterThan(0);
  });
});
