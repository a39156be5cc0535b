import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  EnvironmentSummary,
  isSeverityAtLeast,
  Problem,
} from '@kler/plugin-environments-common';
import { environmentsApiRef, ProblemQuery } from '../../api';
import {
  allProblems,
  degradedShopApi,
  healthyDevelopment,
  healthyProduction,
  makeEnvironmentDetails,
  makeService,
  makeSummary,
  productionWithProblems,
  shopApiRunningBelowDesired,
  storefrontAtMaxCapacity,
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

const SERVICES = ['storefront', 'shop-api', 'order-worker'];

/** Each environment's details: its services, shop-api degraded in production. */
function detailsOf(summary: EnvironmentSummary) {
  const services = SERVICES.map(name =>
    name === 'shop-api' && summary.name === 'production'
      ? degradedShopApi
      : makeService(name),
  );
  return makeEnvironmentDetails(
    summary,
    services,
    summary.name === 'production' ? [shopApiRunningBelowDesired] : [],
  );
}

function createApi(
  summaries: EnvironmentSummary[],
  problems: (q?: ProblemQuery) => { items: Problem[] } = () => ({
    items: [],
  }),
) {
  const api = createEnvironmentsApiMock();
  api.listEnvironments.mockResolvedValue({ items: summaries });
  api.listProblems.mockImplementation(async q => problems(q));
  api.getEnvironment.mockImplementation(async name =>
    detailsOf(summaries.find(s => s.name === name)!),
  );
  return api;
}

function renderDashboard(
  api: ReturnType<typeof createEnvironmentsApiMock>,
  options: {
    refreshIntervalMs?: number;
    url?: string;
    catalog?: { getEntities: jest.Mock };
  } = {},
) {
  return renderInTestApp(
    <OnCallDashboard refreshIntervalMs={options.refreshIntervalMs} />,
    {
      apis: [
        [environmentsApiRef, api],
        ...(options.catalog ? [[catalogApiRef, options.catalog] as const] : []),
      ] as any,
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      initialRouteEntries: options.url ? [options.url] : undefined,
    },
  );
}

const matrixRows = () =>
  within(screen.getByTestId('service-matrix'))
    .queryAllByRole('row')
    .filter(row => row.hasAttribute('data-service'));

const problemButtons = () =>
  within(screen.getByTestId('problem-list')).queryAllByRole('button', {
    expanded: false,
  });

// jsdom lays nothing out: give the matrix's scroll box a viewport, so that
// the virtualizer renders the rows in it as a browser would.
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get: () => 600,
  });
});
afterAll(() => {
  // Back to Element.prototype's own.
  delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
});

describe('OnCallDashboard', () => {
  it('shows a progress bar while loading', async () => {
    const api = createEnvironmentsApiMock();
    api.listEnvironments.mockReturnValue(new Promise(() => {}));
    api.listProblems.mockReturnValue(new Promise(() => {}));
    renderDashboard(api);
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });

  it('shows a line per environment, production first, with status, counts and freshness', async () => {
    const api = createApi([
      { ...healthyDevelopment, source: 'aws' },
      { ...productionWithProblems, source: 'aws' },
    ]);
    renderDashboard(api);

    const lines = await screen.findAllByRole('region', {
      name: /^Environment /,
    });
    expect(lines.map(s => s.getAttribute('aria-label'))).toEqual([
      'Environment Production',
      'Environment Development',
    ]);
    const production = lines[0];
    expect(
      within(production).getByRole('img', {
        name: 'Production status: Error',
      }),
    ).toBeInTheDocument();
    expect(within(production).getByText('1 critical')).toBeInTheDocument();
    expect(within(production).getByText('1 high')).toBeInTheDocument();
    expect(within(production).getByText('0 medium')).toBeInTheDocument();
    expect(
      within(production).getByText('1 of 5 services with problems'),
    ).toBeInTheDocument();
    expect(within(production).getByText(/^read \d+ /)).toBeInTheDocument();
    expect(
      within(lines[1]).getByRole('img', {
        name: 'Development status: Healthy',
      }),
    ).toBeInTheDocument();
    expect(screen.queryByText('Sandbox data')).not.toBeInTheDocument();
    expect(screen.queryByText('Stale')).not.toBeInTheDocument();
    expect(screen.getByText(/updated \d+ s ago/)).toBeInTheDocument();
  });

  it('shows every service in every environment, worst first, with counts, rollout and status in words', async () => {
    const api = createApi([healthyDevelopment, productionWithProblems]);
    renderDashboard(api);

    await waitFor(() => expect(matrixRows()).toHaveLength(3));
    expect(matrixRows().map(r => r.getAttribute('data-service'))).toEqual([
      'shop-api',
      'order-worker',
      'storefront',
    ]);
    const shopApi = matrixRows()[0];
    expect(
      within(shopApi).getByRole('img', {
        name: 'shop-api in Production: Error',
      }),
    ).toBeInTheDocument();
    expect(
      within(shopApi).getByText(/1\/3 running, 1 pending, rolling out/),
    ).toBeInTheDocument();
    expect(
      within(shopApi).getByRole('img', {
        name: 'shop-api in Development: Healthy',
      }),
    ).toBeInTheDocument();
    expect(screen.getAllByRole('columnheader').map(h => h.textContent)).toEqual(
      ['Service (3)', 'Production', 'Development'],
    );
  });

  it('names a service by the catalog component that runs it', async () => {
    const api = createApi([healthyProduction]);
    const catalog = {
      getEntities: jest.fn().mockResolvedValue({
        items: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: {
              name: 'shop-api',
              namespace: 'default',
              title: 'Shop API',
              annotations: { 'kler.io/ecs-service-name': 'shop-api' },
            },
          },
        ],
      }),
    };
    renderDashboard(api, { catalog });
    const link = await screen.findByRole('link', { name: 'Shop API' });
    expect(link).toHaveAttribute(
      'href',
      '/catalog/default/component/shop-api/environments',
    );
  });

  it('lists problems worst first, one line each, that open to the explanation, a copyable fix and the console link', async () => {
    const api = createApi([healthyDevelopment, productionWithProblems], q =>
      problemsMatching(q),
    );
    renderDashboard(api);

    expect(await screen.findByText('Problems (4)')).toBeInTheDocument();
    const titles = screen
      .getAllByText(/shop-api runs|Backup of|storefront is at|High risk/)
      .map(e => e.textContent);
    expect(titles).toEqual(allProblems.map(p => p.title));
    // Closed, a problem is one line: no explanation yet.
    expect(screen.queryByText(/Raise the task memory/)).not.toBeInTheDocument();

    const first = problemButtons()[0];
    expect(first).toHaveTextContent('Critical');
    expect(first).toHaveTextContent('production');
    await userEvent.click(first);
    expect(first).toHaveAttribute('aria-expanded', 'true');
    const details = screen.getByRole('region', {
      name: `Details of ${shopApiRunningBelowDesired.title}`,
    });
    expect(
      within(details).getByText(shopApiRunningBelowDesired.explanation),
    ).toBeInTheDocument();
    expect(
      within(details).getByText(/Raise the task memory/),
    ).toBeInTheDocument();
    expect(
      within(details).getByRole('link', {
        name: new RegExp(
          `^Open in AWS console: ${shopApiRunningBelowDesired.title}`,
        ),
      }),
    ).toHaveAttribute('href', shopApiRunningBelowDesired.consoleUrl);
  });

  it('shows a command of a fix as code with a copy button', async () => {
    const withCommand: Problem = {
      ...storefrontAtMaxCapacity,
      proposedFix:
        'Raise the maximum: `aws application-autoscaling register-scalable-target --max-capacity 8`.',
    };
    const api = createApi([healthyProduction], () => ({
      items: [withCommand],
    }));
    const writeText = jest.fn().mockResolvedValue(undefined);
    Object.assign(window.navigator, { clipboard: { writeText } });
    renderDashboard(api);
    await userEvent.click(
      (
        await screen.findAllByRole('button', { expanded: false })
      )[0],
    );
    const command = screen.getByText(
      'aws application-autoscaling register-scalable-target --max-capacity 8',
    );
    expect(command.tagName).toBe('CODE');
    await userEvent.click(screen.getByRole('button', { name: 'Copy command' }));
    expect(writeText).toHaveBeenCalledWith(
      'aws application-autoscaling register-scalable-target --max-capacity 8',
    );
    expect(
      await screen.findByRole('button', { name: 'Copied' }),
    ).toBeInTheDocument();
  });

  it('groups the problems of one service under its name', async () => {
    const second: Problem = {
      ...shopApiRunningBelowDesired,
      id: 'production/shop-api/unhealthy-targets',
      severity: 'high',
      title: 'shop-api has unhealthy load balancer targets',
    };
    const api = createApi([productionWithProblems], () => ({
      items: [shopApiRunningBelowDesired, second, storefrontAtMaxCapacity],
    }));
    renderDashboard(api);
    const group = await screen.findByRole('list', {
      name: 'Problems of shop-api',
    });
    expect(within(group).getAllByRole('button')).toHaveLength(2);
    expect(screen.getByText('shop-api · 2 problems')).toBeInTheDocument();
  });

  it('filters problems by environment, area and severity, and keeps the filters in the URL', async () => {
    const api = createApi([healthyDevelopment, productionWithProblems], q =>
      problemsMatching(q),
    );
    renderDashboard(api);
    expect(await screen.findByText('Problems (4)')).toBeInTheDocument();

    await userEvent.selectOptions(
      screen.getByRole('combobox', { name: 'Filter by environment' }),
      'development',
    );
    expect(await screen.findByText('Problems (2)')).toBeInTheDocument();
    expect(screen.queryByText(/shop-api runs/)).not.toBeInTheDocument();
    // The matrix shows the chosen environment only.
    expect(screen.getAllByRole('columnheader').map(h => h.textContent)).toEqual(
      ['Service (3)', 'Development'],
    );

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

  it('filters services and problems by text as it is typed', async () => {
    const api = createApi([healthyDevelopment, productionWithProblems], q =>
      problemsMatching(q),
    );
    renderDashboard(api);
    await waitFor(() => expect(matrixRows()).toHaveLength(3));
    await userEvent.type(
      screen.getByLabelText('Filter services and problems'),
      'store',
    );
    expect(matrixRows().map(r => r.getAttribute('data-service'))).toEqual([
      'storefront',
    ]);
    expect(screen.getByText('Service (1 of 3)')).toBeInTheDocument();
    expect(screen.getByText('Problems (1 of 4)')).toBeInTheDocument();
  });

  it('opens the view a pasted link describes: filters and the open problem', async () => {
    const api = createApi([healthyDevelopment, productionWithProblems], q =>
      problemsMatching(q),
    );
    renderDashboard(api, {
      url: `/?environment=production&q=shop&problem=${encodeURIComponent(
        shopApiRunningBelowDesired.id,
      )}`,
    });
    expect(
      await screen.findByRole('region', {
        name: `Details of ${shopApiRunningBelowDesired.title}`,
      }),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Filter services and problems')).toHaveValue(
      'shop',
    );
    expect(
      screen.getByRole('combobox', { name: 'Filter by environment' }),
    ).toHaveValue('production');
    expect(api.listProblems).toHaveBeenCalledWith({
      environment: 'production',
      area: undefined,
      minSeverity: undefined,
    });
  });

  it('is usable from the keyboard: Tab reaches the filters and Enter opens a problem', async () => {
    const api = createApi([productionWithProblems], q => problemsMatching(q));
    renderDashboard(api);
    const select = await screen.findByRole('combobox', {
      name: 'Filter problems by area',
    });
    for (let i = 0; i < 60 && document.activeElement !== select; i++) {
      await userEvent.tab();
    }
    expect(select).toHaveFocus();
    await userEvent.selectOptions(select, 'Health');
    await waitFor(() =>
      expect(api.listProblems).toHaveBeenLastCalledWith({
        environment: undefined,
        area: 'health',
        minSeverity: undefined,
      }),
    );
    const problem = (
      await screen.findAllByRole('button', { expanded: false })
    )[0];
    problem.focus();
    await userEvent.keyboard('{Enter}');
    expect(problem).toHaveAttribute('aria-expanded', 'true');
  });

  it('keeps an open problem open and the order in place across refreshes', async () => {
    const api = createApi([productionWithProblems]);
    // The worse problem arrives only once the reader is on the list.
    let readerOnList: () => void = () => {};
    const onList = new Promise<void>(resolve => {
      readerOnList = resolve;
    });
    api.listProblems
      .mockResolvedValueOnce({ items: [storefrontAtMaxCapacity] })
      .mockImplementation(async () => {
        await onList;
        return {
          items: [shopApiRunningBelowDesired, storefrontAtMaxCapacity],
        };
      });
    renderDashboard(api, { refreshIntervalMs: 300 });
    const storefront = await screen.findByRole('button', {
      name: /storefront is at its maximum capacity/,
    });
    const list = screen.getByRole('list', { name: 'Problems' });
    // The pointer rests on the list: a refresh must not move what is under it.
    await userEvent.hover(list);
    await userEvent.click(storefront);
    readerOnList();
    await screen.findByText(/shop-api runs 1 of 3 tasks/);
    let buttons = within(list).getAllByRole('button', { expanded: false });
    expect(
      within(list)
        .getAllByRole('button')
        .map(b => b.textContent),
    ).toEqual([
      expect.stringContaining('storefront is at its maximum capacity'),
      expect.stringContaining('shop-api runs 1 of 3 tasks'),
    ]);
    expect(
      screen.getByRole('button', { name: /storefront is at its maximum/ }),
    ).toHaveAttribute('aria-expanded', 'true');
    // Once the pointer and the focus leave, the list is worst first again.
    await userEvent.unhover(list);
    act(() => (document.activeElement as HTMLElement).blur());
    await waitFor(() => {
      buttons = within(list).getAllByRole('button');
      expect(buttons[0]).toHaveTextContent('shop-api runs 1 of 3 tasks');
    });
    expect(
      screen.getByRole('button', { name: /storefront is at its maximum/ }),
    ).toHaveAttribute('aria-expanded', 'true');
  }, 20_000);

  it('shows an environment that could not be read on its line and in its matrix column; the rest normally', async () => {
    const broken = makeSummary({
      name: 'production',
      refreshedAt: undefined,
      status: 'unknown',
      error: {
        name: 'AccessDeniedException',
        message: 'not authorized to perform ecs:DescribeClusters',
      },
    });
    const api = createApi([broken, healthyDevelopment]);
    api.getEnvironment.mockImplementation(async name =>
      name === 'production'
        ? { summary: broken }
        : detailsOf(healthyDevelopment),
    );
    renderDashboard(api);

    const production = await screen.findByRole('region', {
      name: 'Environment Production',
    });
    expect(
      within(production).getByText(
        /Could not read this environment: AccessDeniedException: not authorized/,
      ),
    ).toBeInTheDocument();
    expect(
      within(production).getByRole('img', {
        name: 'Production status: Not read',
      }),
    ).toBeInTheDocument();
    await waitFor(() => expect(matrixRows()).toHaveLength(3));
    expect(within(matrixRows()[0]).getByText('not read')).toBeInTheDocument();
    expect(
      within(matrixRows()[0]).getByRole('img', {
        name: /in Development: Healthy/,
      }),
    ).toBeInTheDocument();
  });

  it('shows the error of one environment whose details fail, and the others', async () => {
    const api = createApi([healthyProduction, healthyDevelopment]);
    api.getEnvironment.mockImplementation(async name => {
      if (name === 'production') throw new Error('socket hang up');
      return detailsOf(healthyDevelopment);
    });
    renderDashboard(api);
    await waitFor(() => expect(matrixRows()).toHaveLength(3));
    expect(within(matrixRows()[0]).getByText('not read')).toBeInTheDocument();
  });

  it('marks an environment served from an old snapshot as stale, with the error', async () => {
    const api = createApi([
      makeSummary({
        name: 'production',
        stale: true,
        error: { name: 'ThrottlingException', message: 'Rate exceeded' },
      }),
    ]);
    renderDashboard(api);

    const badge = await screen.findByText('Stale');
    expect(badge.closest('[aria-label]')).toHaveAttribute(
      'aria-label',
      expect.stringContaining('ThrottlingException: Rate exceeded'),
    );
  });

  it('shows a sandbox banner when data comes from the sandbox', async () => {
    const api = createApi([
      healthyProduction,
      { ...healthyDevelopment, source: 'aws' },
    ]);
    renderDashboard(api);
    expect(await screen.findByText('Sandbox data')).toBeInTheDocument();
    expect(
      screen.getByText(/production: read from the local AWS sandbox/),
    ).toBeInTheDocument();
  });

  it('shows an empty state when there are no environments', async () => {
    const api = createApi([]);
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
    expect(api.getEnvironment).not.toHaveBeenCalled();
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
    const api = createApi([healthyProduction]);
    api.listEnvironments
      .mockResolvedValueOnce({ items: [healthyProduction] })
      .mockRejectedValue(new Error('connection reset'));
    renderDashboard(api, { refreshIntervalMs: 200 });
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
