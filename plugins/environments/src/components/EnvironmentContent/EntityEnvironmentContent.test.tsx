import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Entity } from '@backstage/catalog-model';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { environmentsApiRef } from '../../api';
import {
  degradedShopApi,
  healthyProduction,
  makeEnvironmentDetails,
  makeService,
  makeSummary,
  failedApplyOfProduction,
  productionRuns,
  productionWithProblems,
  shopApiRunningBelowDesired,
  shopDatabaseBackupFailed,
} from '../../testing/fixtures';
import {
  createEnvironmentsApiMock,
  permissionDeniedError,
} from '../../testing/mockApi';
import { EntityEnvironmentContent } from './EntityEnvironmentContent';
import { backupJobsPerDay } from './BackupJobStrip';

jest.setTimeout(60_000);

const productionEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'production', title: 'Production' },
  spec: { type: 'environment', owner: 'platform-team' },
};

function renderEnvironment(api: ReturnType<typeof createEnvironmentsApiMock>) {
  return renderInTestApp(
    <EntityProvider entity={productionEntity}>
      <EntityEnvironmentContent />
    </EntityProvider>,
    { apis: [[environmentsApiRef, api]] },
  );
}

describe('EntityEnvironmentContent', () => {
  it('shows the whole environment: services, capacity, backups, Well-Architected', async () => {
    const api = createEnvironmentsApiMock();
    api.getEnvironment.mockResolvedValue(
      makeEnvironmentDetails(
        productionWithProblems,
        [
          makeService('storefront'),
          degradedShopApi,
          makeService('admin-panel', { desiredCount: 1 }),
        ],
        [shopApiRunningBelowDesired, shopDatabaseBackupFailed],
      ),
    );
    renderEnvironment(api);

    expect(await screen.findByText('Services (3)')).toBeInTheDocument();
    expect(api.getEnvironment).toHaveBeenCalledWith('production');
    expect(screen.getByText('Problems (2)')).toBeInTheDocument();
    // Problems are one line each, and open to their fix.
    await userEvent.click(
      screen.getByRole('button', { name: /Backup of shop-database/ }),
    );
    expect(
      screen.getByText('Give the backup role rds:CreateDBSnapshot.', {
        exact: false,
      }),
    ).toBeInTheDocument();
    // The on-call matrix's cell: status icon, counts and rollout in words.
    expect(
      screen.getByRole('img', { name: 'shop-api in Production: Error' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/^1\/3 running, 1 pending, rolling out/),
    ).toBeInTheDocument();

    const provider = screen.getByRole('region', {
      name: 'Capacity provider kler-production-ec2',
    });
    expect(
      within(provider).getByText(/min 2 \/ desired 3 \/ max 6/),
    ).toBeInTheDocument();
    expect(
      within(provider).getByRole('img', {
        name: 'Instance i-0a1b2c3d4e5f60002: Error',
      }),
    ).toBeInTheDocument();

    const coverage = screen.getByRole('table', { name: 'Backup coverage' });
    expect(within(coverage).getByText('shop-media')).toBeInTheDocument();
    expect(
      within(coverage).getByRole('img', {
        name: 'shop-database backup plan: Error',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('listitem', {
        name: '2026-11-26: 1 completed, 1 failed',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('listitem', {
        name: '2026-11-25: 1 completed, 0 failed',
      }),
    ).toBeInTheDocument();

    const pillars = screen.getByRole('table', { name: 'Risks per pillar' });
    const reliability = within(pillars).getByText('Reliability').closest('tr')!;
    expect(
      within(reliability as HTMLElement)
        .getAllByRole('cell')
        .map(c => c.textContent),
    ).toEqual(['Reliability', '2', '1', '5', '5']);
    expect(screen.getByText('High-risk items (1)')).toBeInTheDocument();
    expect(
      screen.getByRole('link', {
        name: 'How do you back up data?, Opens in a new window',
      }),
    ).toHaveAttribute(
      'href',
      'https://docs.aws.amazon.com/wellarchitected/latest/framework/rel_backing_up_data.html',
    );
  });

  it('lists services worst first, as the on-call matrix does', async () => {
    const api = createEnvironmentsApiMock();
    const charlieDown = {
      ...shopApiRunningBelowDesired,
      id: 'production/charlie/running-below-desired',
      serviceName: 'charlie',
      title: 'charlie runs 1 of 2 tasks',
    };
    api.getEnvironment.mockResolvedValue(
      makeEnvironmentDetails(
        healthyProduction,
        [
          makeService('alpha', { desiredCount: 2, runningCount: 2 }),
          makeService('bravo', { desiredCount: 4, runningCount: 4 }),
          makeService('charlie', { desiredCount: 2, runningCount: 1 }),
        ],
        [charlieDown],
      ),
    );
    renderEnvironment(api);
    await screen.findByText('Services (3)');
    const serviceNames = () =>
      screen
        .getAllByRole('link', { name: /^(alpha|bravo|charlie),/ })
        .map(link => link.textContent?.split(',')[0]);
    expect(serviceNames()).toEqual(['charlie', 'alpha', 'bravo']);
    expect(
      screen.getByRole('img', { name: 'charlie in Production: Error' }),
    ).toBeInTheDocument();
  });

  it('shows read errors per area and keeps the rest', async () => {
    const api = createEnvironmentsApiMock();
    const details = makeEnvironmentDetails(healthyProduction, [
      makeService('storefront'),
    ]);
    details.snapshot!.readErrors = [
      {
        area: 'backup',
        name: 'AccessDeniedException',
        message: 'not authorized to perform backup:ListBackupJobs',
      },
    ];
    details.snapshot!.backup = undefined;
    api.getEnvironment.mockResolvedValue(details);
    renderEnvironment(api);
    expect(
      await screen.findByText(
        /Backup could not be read: AccessDeniedException: not authorized/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('No backup data in the snapshot.'),
    ).toBeInTheDocument();
    expect(screen.getByText('Services (1)')).toBeInTheDocument();
  });

  it('shows the error of an environment that was never read', async () => {
    const api = createEnvironmentsApiMock();
    api.getEnvironment.mockResolvedValue({
      summary: makeSummary({
        name: 'production',
        refreshedAt: undefined,
        stale: false,
        error: { name: 'CredentialsProviderError', message: 'no credentials' },
      }),
    });
    renderEnvironment(api);
    expect(
      await screen.findByText(
        'Could not read this environment: CredentialsProviderError: no credentials',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/^Services/)).not.toBeInTheDocument();
  });

  it('marks a stale snapshot with its error, and sandbox data', async () => {
    const api = createEnvironmentsApiMock();
    api.getEnvironment.mockResolvedValue(
      makeEnvironmentDetails(
        makeSummary({
          name: 'production',
          stale: true,
          error: { name: 'ThrottlingException', message: 'Rate exceeded' },
        }),
        [makeService('storefront')],
      ),
    );
    renderEnvironment(api);
    const badge = await screen.findByText('Stale');
    expect(badge.closest('[aria-label]')).toHaveAttribute(
      'aria-label',
      expect.stringContaining('ThrottlingException: Rate exceeded'),
    );
    expect(screen.getByText('Sandbox data')).toBeInTheDocument();
    expect(screen.getByText('No problems found.')).toBeInTheDocument();
  });

  it('shows the runs, and the failed apply of an environment that could not be read with the run to open', async () => {
    const api = createEnvironmentsApiMock();
    api.getEnvironment.mockResolvedValue({
      summary: makeSummary({
        name: 'production',
        refreshedAt: undefined,
        status: 'error',
        error: { name: 'CredentialsProviderError', message: 'no credentials' },
      }),
      evaluation: {
        environment: 'production',
        status: 'error',
        areas: {
          health: 'unknown',
          scaling: 'unknown',
          backup: 'unknown',
          wellArchitected: 'unknown',
          workload: 'unknown',
          provisioning: 'error',
        },
        services: [],
        problems: [failedApplyOfProduction],
      },
    });
    api.listRuns.mockResolvedValue({ items: productionRuns });
    renderEnvironment(api);
    expect(await screen.findByText('Problems (1)')).toBeInTheDocument();
    expect(
      screen.getByText('Last apply of production failed'),
    ).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: /Last apply of production failed/ }),
    );
    expect(
      screen.getByRole('link', {
        name: 'Open the run of Last apply of production failed',
      }),
    ).toHaveAttribute('href', '/create/tasks/6a1f0c2e');
    expect(await screen.findByText('Runs')).toBeInTheDocument();
    expect(
      await screen.findByText('github-actions:kler/environments'),
    ).toBeInTheDocument();
    expect(api.listRuns).toHaveBeenCalledWith('production', { limit: 20 });
  });

  it('shows the permission state on 403', async () => {
    const api = createEnvironmentsApiMock();
    api.getEnvironment.mockImplementation(async () => {
      throw await permissionDeniedError();
    });
    renderEnvironment(api);
    expect(
      await screen.findByText("You don't have permission to view environments"),
    ).toBeInTheDocument();
  });

  it('renders an environment of 1,000 services, a page of them at a time', async () => {
    const services = Array.from({ length: 1000 }, (_, i) =>
      makeService(`service-${String(i).padStart(4, '0')}`, {
        desiredCount: 2,
        runningCount: i % 7 === 0 ? 1 : 2,
      }),
    );
    const api = createEnvironmentsApiMock();
    api.getEnvironment.mockResolvedValue(
      makeEnvironmentDetails(
        makeSummary({
          name: 'production',
          counts: {
            services: 1000,
            servicesWithProblems: 0,
            problems: { critical: 0, high: 0, medium: 0, low: 0 },
          },
        }),
        services,
      ),
    );
    renderEnvironment(api);
    expect(
      await screen.findByText('Services (1000)', undefined, {
        timeout: 30_000,
      }),
    ).toBeInTheDocument();
    expect(screen.getByText('service-0000')).toBeInTheDocument();
    // How fast it renders is measured in Chromium by `yarn bench:ui`.
  });
});

describe('backupJobsPerDay', () => {
  it('counts jobs per UTC day over the 7 days up to the end date', () => {
    const days = backupJobsPerDay(
      [
        {
          backupJobId: 'a',
          resourceArn: 'r',
          state: 'COMPLETED',
          creationDate: '2026-11-26T01:00:00Z',
        },
        {
          backupJobId: 'b',
          resourceArn: 'r',
          state: 'FAILED',
          creationDate: '2026-11-26T02:00:00Z',
        },
        {
          backupJobId: 'c',
          resourceArn: 'r',
          state: 'RUNNING',
          creationDate: '2026-11-20T02:00:00Z',
        },
        {
          backupJobId: 'd',
          resourceArn: 'r',
          state: 'COMPLETED',
          creationDate: '2026-11-10T02:00:00Z',
        },
      ],
      new Date('2026-11-26T12:00:00Z'),
    );
    expect(days.map(d => d.day)).toEqual([
      '2026-11-20',
      '2026-11-21',
      '2026-11-22',
      '2026-11-23',
      '2026-11-24',
      '2026-11-25',
      '2026-11-26',
    ]);
    expect(days[6]).toEqual({
      day: '2026-11-26',
      completed: 1,
      failed: 1,
      other: 0,
    });
    expect(days[0]).toEqual({
      day: '2026-11-20',
      completed: 0,
      failed: 0,
      other: 1,
    });
  });
});
