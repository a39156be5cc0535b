import { useCallback, useDeferredValue, useMemo } from 'react';
import {
  compareProblems,
  EnvironmentSummary,
  Problem,
} from '@kler/plugin-environments-common';
import {
  Content,
  ContentHeader,
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Grid from '@mui/material/Grid';
import Paper from '@mui/material/Paper';
import RefreshIcon from '@mui/icons-material/Refresh';
import { environmentsApiRef } from '../../api';
import { EnvironmentsErrorPanel } from '../shared/errors';
import { compareEnvironments, environmentTitle } from '../shared/labels';
import { ProblemList } from '../shared/ProblemList';
import { SandboxBanner, UpdatedAgo } from '../shared/SnapshotNotices';
import { useNow, usePolling } from '../shared/usePolling';
import { EnvironmentStatusLine } from './EnvironmentStatusLine';
import { ProblemFilters } from './ProblemFilters';
import { MatrixEnvironment, ServiceMatrix } from './ServiceMatrix';
import { useOnCallSearchParams } from './useOnCallSearchParams';
import { useServiceMatrix, useServiceOwners } from './useServiceMatrix';

/** How often the dashboard re-reads the backend; its cache refreshes on its own schedule. */
export const ON_CALL_REFRESH_INTERVAL_MS = 15_000;

function problemMatches(problem: Problem, text: string): boolean {
  if (!text) return true;
  const needle = text.toLocaleLowerCase('en-US');
  return [problem.serviceName, problem.title, problem.resource]
    .filter((s): s is string => Boolean(s))
    .some(s => s.toLocaleLowerCase('en-US').includes(needle));
}

const StatusLines = (props: { summaries: EnvironmentSummary[] }) => {
  const now = useNow();
  return (
    <Paper variant="outlined" sx={{ mb: 2 }}>
      {props.summaries.map((summary, index) => (
        <Box
          key={summary.name}
          sx={{ borderTop: index > 0 ? 1 : 0, borderColor: 'divider' }}
        >
          <EnvironmentStatusLine summary={summary} now={now} />
        </Box>
      ))}
    </Paper>
  );
};

/** Every environment at a glance, every service in each, and every problem, worst first. */
export const OnCallDashboard = (props: { refreshIntervalMs?: number }) => {
  const intervalMs = props.refreshIntervalMs ?? ON_CALL_REFRESH_INTERVAL_MS;
  const api = useApi(environmentsApiRef);
  const { filters, setFilters, expansion } = useOnCallSearchParams();
  const environments = usePolling(() => api.listEnvironments(), intervalMs, [
    api,
  ]);
  const problems = usePolling(
    () =>
      api.listProblems({
        environment: filters.environment,
        area: filters.area,
        minSeverity: filters.minSeverity,
      }),
    intervalMs,
    [api, filters.environment, filters.area, filters.minSeverity],
  );
  const summaries = useMemo(
    () => [...(environments.value?.items ?? [])].sort(compareEnvironments),
    [environments.value],
  );
  const matrix = useServiceMatrix(
    summaries.map(s => s.name),
    intervalMs,
  );
  const owners = useServiceOwners();
  const sortedProblems = useMemo(
    () => [...(problems.value?.items ?? [])].sort(compareProblems),
    [problems.value],
  );
  // The matrix follows each keystroke at once; the problem list may follow a
  // frame later, so typing never waits for both.
  const problemText = useDeferredValue(filters.text);
  const shownProblems = useMemo(
    () => sortedProblems.filter(p => problemMatches(p, problemText)),
    [sortedProblems, problemText],
  );

  const matrixEnvironments = useMemo<MatrixEnvironment[]>(
    () =>
      summaries
        .filter(s => !filters.environment || s.name === filters.environment)
        .map(summary => {
          const column = matrix.value?.find(c => c.name === summary.name);
          return {
            name: summary.name,
            title: environmentTitle(summary),
            unreadReason:
              column && !column.cells
                ? column.error?.message ?? 'never read'
                : undefined,
          };
        }),
    [summaries, filters.environment, matrix.value],
  );
  const showProblemsOf = useCallback(
    (serviceName: string) => setFilters({ text: serviceName }),
    [setFilters],
  );

  if (environments.loading) {
    return <Progress />;
  }
  if (!environments.value) {
    return <EnvironmentsErrorPanel error={environments.error!} />;
  }
  if (summaries.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No environments yet"
        description="Register a Resource of spec.type environment in the catalog, or create one from the environment template."
      />
    );
  }

  const refresh = () => {
    environments.refresh();
    problems.refresh();
    matrix.refresh();
  };

  return (
    <>
      <ContentHeader title="Environments">
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 2 }}>
          <UpdatedAgo updatedAt={environments.updatedAt} />
          <Button
            size="small"
            variant="outlined"
            startIcon={<RefreshIcon />}
            onClick={refresh}
          >
            Refresh
          </Button>
        </Box>
      </ContentHeader>
      <SandboxBanner summaries={summaries} />
      {environments.error && (
        <Box mb={2}>
          <ResponseErrorPanel
            title="Refreshing the environment list failed; showing the last answer"
            error={environments.error}
          />
        </Box>
      )}
      <StatusLines summaries={summaries} />
      <ProblemFilters
        environments={summaries}
        value={filters}
        onChange={setFilters}
      />
      <Grid container spacing={2}>
        <Grid item xs={12}>
          <InfoCard title="Services" noPadding>
            {matrix.loading && <Progress />}
            {!matrix.loading && !matrix.value && matrix.error && (
              <EnvironmentsErrorPanel error={matrix.error} />
            )}
            {matrix.value && (
              <ServiceMatrix
                rows={matrix.rows}
                environments={matrixEnvironments}
                owners={owners}
                filterText={filters.text}
                onShowProblems={showProblemsOf}
              />
            )}
          </InfoCard>
        </Grid>
        <Grid item xs={12}>
          <InfoCard
            title={`Problems (${
              problems.value
                ? `${shownProblems.length}${
                    shownProblems.length !== sortedProblems.length
                      ? ` of ${sortedProblems.length}`
                      : ''
                  }`
                : '…'
            })`}
            noPadding
          >
            {problems.loading && <Progress />}
            {!problems.loading && problems.error && !problems.value && (
              <EnvironmentsErrorPanel error={problems.error} />
            )}
            {problems.value && (
              <Box data-testid="problem-list" sx={{ px: 1, pb: 1 }}>
                <ProblemList
                  problems={shownProblems}
                  emptyText="No problems match these filters."
                  expansion={expansion}
                />
              </Box>
            )}
          </InfoCard>
        </Grid>
      </Grid>
    </>
  );
};

/** The page content of the new frontend system; the app shell supplies the header. */
export const OnCallPage = () => (
  <Content>
    <OnCallDashboard />
  </Content>
);
