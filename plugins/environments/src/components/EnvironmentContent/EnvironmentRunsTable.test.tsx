import { screen, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EnvironmentRun } from '@kler/plugin-environments-common';
import { environmentsApiRef } from '../../api';
import { productionRuns } from '../../testing/fixtures';
import {
  createEnvironmentsApiMock,
  permissionDeniedError,
} from '../../testing/mockApi';
import { EnvironmentRunsTable, RUNS_SHOWN } from './EnvironmentRunsTable';

jest.setTimeout(60_000);

function renderRuns(api: ReturnType<typeof createEnvironmentsApiMock>) {
  return renderInTestApp(<EnvironmentRunsTable environment="production" />, {
    apis: [[environmentsApiRef, api]],
  });
}

function rowOf(text: string) {
  return screen.getByText(text).closest('tr')!;
}

describe('EnvironmentRunsTable', () => {
  it('shows each run: when, kind, source, who, outcome, summary and link', async () => {
    const api = createEnvironmentsApiMock();
    api.listRuns.mockResolvedValue({ items: productionRuns });
    await renderRuns(api);

    expect(await screen.findByText('user:default/alice')).toBeInTheDocument();
    expect(api.listRuns).toHaveBeenCalledWith('production', {
      limit: RUNS_SHOWN,
    });

    const apply = rowOf('user:default/alice');
    expect(within(apply).getByText('Apply')).toBeInTheDocument();
    expect(within(apply).getByText('Portal')).toBeInTheDocument();
    expect(
      within(apply).getByText(new Date(productionRuns[0].at).toLocaleString()),
    ).toBeInTheDocument();
    expect(
      within(apply).getByRole('img', {
        name: `Apply of ${new Date(
          productionRuns[0].at,
        ).toLocaleString()}: Error`,
      }),
    ).toBeInTheDocument();
    expect(within(apply).getByText('Failed')).toBeInTheDocument();
    expect(
      within(apply).getByText('1 to add (aws_ecs_service: 1 to add)'),
    ).toBeInTheDocument();
    expect(
      within(apply).getByText(/InvalidParameterException/),
    ).toBeInTheDocument();
    expect(
      within(apply).getByRole('link', { name: /Open the apply/ }),
    ).toHaveAttribute('href', '/create/tasks/6a1f0c2e');

    const plan = rowOf('github-actions:kler/environments');
    expect(within(plan).getByText('Pipeline')).toBeInTheDocument();
    expect(within(plan).getByText('Succeeded')).toBeInTheDocument();
    expect(
      within(plan).getByText(
        '2 to change (aws_ecs_service: 1 to change; aws_security_group: 1 to change)',
      ),
    ).toBeInTheDocument();
    expect(
      within(plan).getByRole('link', { name: /Open the plan/ }),
    ).toHaveAttribute(
      'href',
      'https://github.com/kler/environments/actions/runs/4242',
    );

    const drift = rowOf('the code declares no backend');
    expect(within(drift).getByText('Drift check')).toBeInTheDocument();
    expect(within(drift).getByText('Schedule')).toBeInTheDocument();
    expect(within(drift).getByText('Skipped')).toBeInTheDocument();
    expect(within(drift).getByText('-')).toBeInTheDocument();
  });

  it('marks a drift check that found changes as a warning', async () => {
    const drifted: EnvironmentRun = {
      id: '20',
      environment: 'production',
      kind: 'drift',
      source: 'schedule',
      outcome: 'succeeded',
      actor: 'plugin:scaffolder',
      reportedBy: 'plugin:scaffolder',
      at: '2026-11-26T12:00:00.000Z',
      summary: {
        add: 0,
        change: 1,
        destroy: 0,
        replace: 0,
        byType: {
          terraform_data: { add: 0, change: 1, destroy: 0, replace: 0 },
        },
        outputChanges: 0,
      },
      message: 'Drift: 0 to add, 1 to change, 0 to destroy, 0 to replace',
    };
    const api = createEnvironmentsApiMock();
    api.listRuns.mockResolvedValue({ items: [drifted] });
    await renderRuns(api);
    expect(await screen.findByText('Drift found')).toBeInTheDocument();
    expect(
      screen.getByRole('img', { name: /Drift check of .*: Warning/ }),
    ).toBeInTheDocument();
  });

  it('says when nothing was recorded yet', async () => {
    const api = createEnvironmentsApiMock();
    api.listRuns.mockResolvedValue({ items: [] });
    await renderRuns(api);
    expect(
      await screen.findByText(
        'No plan, apply or drift check of this environment has been recorded yet.',
      ),
    ).toBeInTheDocument();
  });

  it('explains a denied read', async () => {
    const api = createEnvironmentsApiMock();
    api.listRuns.mockImplementation(async () => {
      throw await permissionDeniedError();
    });
    await renderRuns(api);
    expect(
      await screen.findByText("You don't have permission to view environments"),
    ).toBeInTheDocument();
  });
});
