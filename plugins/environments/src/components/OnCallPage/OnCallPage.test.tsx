import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { isSeverityAtLeast, Problem } from '@kler/plugin-environments-common';
import { environmentsApiRef, ProblemQuery } from '../../api';
import {
  allProblems,
  healthyDevelopment,
  healthyProduction,
  makeSummary,
  productionWithProblems,
} from '../../testing/fixtures';
import {
  createEnvironmentsApiMock,
  permissionDeniedError,
} from '../../testing/mockApi';
import { OnCallDashboard } from './OnCallPage';

/** The backend's filtering, so the test exercises what the page sends. */
function problemsMatching(query: ProblemQuery = {}): { items: Problem[] } {
  return {
    items: allProblems.filter(
      p =>
        (!query.environment || p.environment === query.environment) &&
        (!query.area || p.area === query.area) &&
        (!query.minSeverity ||
          isSeverityAtLeast(p.severity, query.minSeverity)),
    ),
  };
}

function renderDashboard(
  api: ReturnType<typeof createEnvironmentsApiMock>,
  refreshIntervalMs?: number,
) {
  return renderInTestApp(
    <OnCallDashboard refreshIntervalMs={refreshIntervalMs} />,
    {
      apis: [[environmentsApiRef, api]],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

// The machine is shared; Material Table renders slowly under load.
jest.setTimeout(30_000);

describe('OnCallDashboard', () => {
  it('shows a progress bar while loading', async () => {
    const api = createEnvironmentsApiMock();
    api.listEnvironments.mockReturnValue(new Promise(() => {}));
    api.listProblems.mockReturnValue(new Promise(() => {}));
    renderDashboard(api);
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });

  it('shows healthy environments, production first, and no problems', async () => {
    const api = createEnvironmentsApiMock();
    api.listEnvironments.mockResolvedValue({
      items: [
        { ...healthyDevelopment, source: 'aws' },
        { ...healthyProduction, source: 'aws' },
      ],
    });
    api.listProblems.mockResolvedValue({ items: [] });
    renderDashboard(api);

    const sections = await screen.findAllByRole('region', {
      name: /^Environment /,
    });
    expect(sections.map(s => s.getAttribute('aria-label'))).toEqual([
      'Environment Production',
      'Environment Development',
    ]);
    expect(
      screen.getByRole('img', { name: 'Production status: Healthy' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('No problems match these filters.'),
    ).toBeInTheDocument();
    expect(screen.queryByText('Sandbox data')).not.toBeInTheDocument();
    expect(screen.queryByText('Stale')).not.toBeInTheDocument();
    expect(screen.getByText(/updated \d+ s ago/)).toBeInTheDocument();
  });

  it('lists every problem worst first with fixes and console links', async () => {
    const api = createEnvironmentsApiMock();
    api.listEnvironments.mockResolvedValue({
      items: [healthyDevelopment, productionWithProblems],
    });
    api.listProblems.mockImplementation(async q => problemsMatching(q));
    renderDashboard(api);

    expect(await screen.findByText('Problems (4)')).toBeInTheDocument();
    expect(
      screen.getByRole('img', { name: 'Production status: Error' }),
    ).toBeInTheDocument();
    const titles = screen
      .getAllByText(/shop-api runs|Backup of|storefront is at|High risk/)
      .map(e => e.textContent);
    expect(titles).toEqual(allProblems.map(p => p.title));
    expect(
      screen.getByText(/Raise the task memory or fix the memory leak/),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText('Open in AWS console')[0].closest('a'),
    ).toHaveAttribute('href', allProblems[0].consoleUrl);
    expect(
      screen.getByText('Problems: 1 critical, 1 high, 0 medium, 0 low'),
    ).toBeInTheDocument();
  });

  it('filters problems by environment, area and severity', async () => {
    const api = createEnvironmentsApiMock();
    api.listEnvironments.mockResolvedValue({
      items: [healthyDevelopment, productionWithProblems],
    });
    api.listProblems.mockImplementation(async q => problemsMatching(q));
    renderDashboard(api);
    expect(await screen.findByText('Problems (4)')).toBeInTheDocument();

    await userEvent.selectOptions(
      screen.getByRole('combobox', {
        name: 'Filter problems by environment',
      }),
      'development',
    );
    expect(await screen.findByText('Problems (2)')).toBeInTheDocument();
    expect(screen.queryByText(/shop-api runs/)).not.toBeInTheDocument();

    await userEvent.selectOptions(
      screen.getByRole('combobox', { name: 'Filter problems by area' }),
      'scaling',
    );
    expect(await screen.findByText('Problems (1)')).toBeInTheDocument();
    expect(
      screen.getByText('storefront is at its maximum capacity'),
    ).toBeInTheDocument();

    await userEvent.selectOptions(
      screen.getByRole('combobox', {
        name: 'Filter problems by minimum severity',
      }),
      'high',
    );
    expect(await screen.findByText('Problems (0)')).toBeInTheDocument();
    expect(api.listProblems).toHaveBeenLastCalledWith({
      environment: 'development',
      area: 'scaling',
      minSeverity: 'high',
    });
  });

  it('keeps the filters usable from the keyboard', async () => {
    const api = createEnvironmentsApiMock();
    api.listEnvironments.mockResolvedValue({ items: [healthyProduction] });
    api.listProblems.mockImplementation(async q => problemsMatching(q));
    renderDashboard(api);
    const select = await screen.findByRole('combobox', {
      name: 'Filter problems by area',
    });
    for (let i = 0; i < 40 && document.activeElement !== select; i++) {
      await userEvent.tab();
    }
    expect(select).toHaveFocus();
    await userEvent.selectOptions(select, 'Health');
    await waitFor(() =>
      expect(api.listProblems).toHaveBeenLastCalledWith({ area: 'health' }),
    );
  });

  it('renders a broken environment as an error card and the rest normally', async () => {
    const api = createEnvironmentsApiMock();
    api.listEnvironments.mockResolvedValue({
      items: [
        makeSummary({
          name: 'production',
          refreshedAt: undefined,
          status: 'unknown',
          error: {
            name: 'AccessDeniedException',
            message: 'not authorized to perform ecs:DescribeClusters',
          },
        }),
        healthyDevelopment,
      ],
    });
    api.listProblems.mockResolvedValue({ items: [] });
    renderDashboard(api);

    const production = await screen.findByRole('region', {
      name: 'Environment Production',
    });
    expect(
      within(production).getByText(
        /Could not read this environment: AccessDeniedException: not authorized/,
      ),
    ).toBeInTheDocument();
    const development = screen.getByRole('region', {
      name: 'Environment Development',
    });
    expect(
      within(development).getByRole('img', {
        name: 'Development status: Healthy',
      }),
    ).toBeInTheDocument();
  });

  it('marks an environment served from an old snapshot as stale, with the error', async () => {
    const api = createEnvironmentsApiMock();
    api.listEnvironments.mockResolvedValue({
      items: [
        makeSummary({
          name: 'production',
          stale: true,
          error: { name: 'ThrottlingException', message: 'Rate exceeded' },
        }),
      ],
    });
    api.listProblems.mockResolvedValue({ items: [] });
    renderDashboard(api);

    const badge = await screen.findByText('Stale');
    expect(badge.closest('[aria-label]')).toHaveAttribute(
      'aria-label',
      expect.stringContaining('ThrottlingException: Rate exceeded'),
    );
  });

  it('shows a sandbox banner when data comes from the sandbox', async () => {
    const api = createEnvironmentsApiMock();
    api.listEnvironments.mockResolvedValue({
      items: [healthyProduction, { ...healthyDevelopment, source: 'aws' }],
    });
    api.listProblems.mockResolvedValue({ items: [] });
    renderDashboard(api);
    expect(await screen.findByText('Sandbox data')).toBeInTheDocument();
    expect(
      screen.getByText(/production: read from the local AWS sandbox/),
    ).toBeInTheDocument();
  });

  it('shows an empty state when there are no environments', async () => {
    const api = createEnvironmentsApiMock();
    api.listEnvironments.mockResolvedValue({ items: [] });
    api.listProblems.mockResolvedValue({ items: [] });
    renderDashboard(api);
    expect(await screen.findByText('No environments yet')).toBeInTheDocument();
  });

  it('shows only a permission state, and no data, on 403', async () => {
    const api = createEnvironmentsApiMock();
    api.listEnvironments.mockImplementation(async () => {
      throw await permissionDeniedError();
    });
    api.listProblems.mockImplementation(async () => {
      throw await permissionDeniedError();
    });
    renderDashboard(api);
    expect(
      await screen.findByText("You don't have permission to view environments"),
    ).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('shows the error when the backend fails', async () => {
    const api = createEnvironmentsApiMock();
    api.listEnvironments.mockRejectedValue(new Error('backend exploded'));
    api.listProblems.mockResolvedValue({ items: [] });
    renderDashboard(api);
    expect(
      (await screen.findAllByText(/backend exploded/)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByRole('region', { name: /^Environment / })).toBeNull();
  });

  it('polls again and keeps the last answer when a refresh fails', async () => {
    const api = createEnvironmentsApiMock();
    api.listEnvironments
      .mockResolvedValueOnce({ items: [healthyProduction] })
      .mockRejectedValue(new Error('connection reset'));
    api.listProblems.mockResolvedValue({ items: [] });
    renderDashboard(api, 200);
    expect(
      await screen.findByRole('region', { name: 'Environment Production' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(/Refreshing the environment list failed/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('region', { name: 'Environment Production' }),
    ).toBeInTheDocument();
    expect(api.listEnvironments.mock.calls.length).toBeGreaterThanOrEqual(2);
  }, 20_000);
});
