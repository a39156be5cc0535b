import { Link, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import Typography from '@mui/material/Typography';
import {
  EnvironmentRun,
  EnvironmentRunKind,
  EnvironmentRunOutcome,
  EnvironmentRunSource,
  HealthStatus,
  describeRunSummary,
} from '@kler/plugin-environments-common';
import { environmentsApiRef } from '../../api';
import { EnvironmentsErrorPanel } from '../shared/errors';
import { HealthStatusIndicator } from '../shared/HealthStatusIndicator';
import { formatDateTime } from '../shared/labels';
import { ENTITY_REFRESH_INTERVAL_MS, usePolling } from '../shared/usePolling';

/** How many of the latest runs the table shows. */
export const RUNS_SHOWN = 20;

const KIND_LABELS: Record<EnvironmentRunKind, string> = {
  plan: 'Plan',
  apply: 'Apply',
  drift: 'Drift check',
};

const SOURCE_LABELS: Record<EnvironmentRunSource, string> = {
  portal: 'Portal',
  pipeline: 'Pipeline',
  schedule: 'Schedule',
};

const OUTCOMES: Record<
  EnvironmentRunOutcome,
  { status: HealthStatus; label: string }
> = {
  succeeded: { status: 'ok', label: 'Succeeded' },
  failed: { status: 'error', label: 'Failed' },
  skipped: { status: 'unknown', label: 'Skipped' },
};

/** A drift check that found changes is a warning, not a success to skim over. */
function outcomeOf(run: EnvironmentRun) {
  const summary = run.summary;
  const drifted =
    run.kind === 'drift' &&
    run.outcome === 'succeeded' &&
    summary !== undefined &&
    summary.add +
      summary.change +
      summary.destroy +
      summary.replace +
      (summary.outputChanges ?? 0) >
      0;
  return drifted
    ? { status: 'warning' as const, label: 'Drift found' }
    : OUTCOMES[run.outcome];
}

const columns: TableColumn<EnvironmentRun>[] = [
  {
    title: 'When',
    field: 'at',
    width: '170px',
    render: run => formatDateTime(run.at),
  },
  {
    title: 'Kind',
    field: 'kind',
    width: '110px',
    render: run => KIND_LABELS[run.kind],
  },
  {
    title: 'Source',
    field: 'source',
    width: '100px',
    render: run => SOURCE_LABELS[run.source],
  },
  { title: 'Who', field: 'actor', width: '200px' },
  {
    title: 'Outcome',
    field: 'outcome',
    width: '130px',
    render: run => {
      const { status, label } = outcomeOf(run);
      return (
        <HealthStatusIndicator
          status={status}
          subject={`${KIND_LABELS[run.kind]} of ${formatDateTime(run.at)}`}
        >
          {label}
        </HealthStatusIndicator>
      );
    },
  },
  {
    title: 'Summary',
    field: 'message',
    sorting: false,
    render: run => (
      <Box>
        {run.summary && (
          <Typography variant="body2">
            {describeRunSummary(run.summary)}
          </Typography>
        )}
        {run.message && (
          <Typography variant="body2" color="text.secondary">
            {run.message}
          </Typography>
        )}
      </Box>
    ),
  },
  {
    title: 'Link',
    field: 'link',
    width: '90px',
    sorting: false,
    render: run =>
      run.link ? (
        <Link
          to={run.link}
          aria-label={`Open the ${KIND_LABELS[run.kind].toLocaleLowerCase(
            'en-US',
          )} of ${formatDateTime(run.at)}`}
        >
          Open
        </Link>
      ) : (
        '-'
      ),
  },
];

/**
 * The environment's latest runs: plans and applies from the portal or the
 * environment repository's pipeline, and scheduled drift checks.
 */
export const EnvironmentRunsTable = (props: {
  environment: string;
  refreshIntervalMs?: number;
}) => {
  const { environment } = props;
  const api = useApi(environmentsApiRef);
  const state = usePolling(
    () => api.listRuns(environment, { limit: RUNS_SHOWN }),
    props.refreshIntervalMs ?? ENTITY_REFRESH_INTERVAL_MS,
    [api, environment],
  );
  if (state.error && !state.value) {
    return <EnvironmentsErrorPanel error={state.error} />;
  }
  if (!state.value) {
    // The Table's own loading spinner has no accessible name (axe
    // aria-progressbar-name); refreshes keep the rows already shown.
    return <LinearProgress aria-label={`Loading the runs of ${environment}`} />;
  }
  const runs = state.value.items;
  return (
    <Table<EnvironmentRun>
      title="Runs"
      subtitle={`Plans, applies and drift checks, the latest ${RUNS_SHOWN}, newest first`}
      columns={columns}
      data={runs}
      options={{
        paging: false,
        search: false,
        padding: 'dense',
        // Draggable headers nest a button in a button (axe: nested-interactive).
        draggable: false,
      }}
      emptyContent={
        <Typography variant="body2" sx={{ p: 2 }}>
          No plan, apply or drift check of this environment has been recorded
          yet.
        </Typography>
      }
    />
  );
};
