import { useState } from 'react';
import { compareProblems } from '@kler/plugin-environments-common';
import {
  Content,
  ContentHeader,
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Box, Button, Grid } from '@material-ui/core';
import RefreshIcon from '@material-ui/icons/Refresh';
import { environmentsApiRef, ProblemQuery } from '../../api';
import {
  EnvironmentsErrorPanel,
  isPermissionDenied,
  PermissionDeniedState,
} from '../shared/errors';
import { compareEnvironments } from '../shared/labels';
import { ProblemsTable } from '../shared/ProblemsTable';
import { SandboxBanner, UpdatedAgo } from '../shared/SnapshotNotices';
import { usePolling } from '../shared/usePolling';
import { EnvironmentSummaryCard } from './EnvironmentSummaryCard';
import { ProblemFilters } from './ProblemFilters';

/** How often the dashboard re-reads the backend; its cache refreshes on its own schedule. */
export const ON_CALL_REFRESH_INTERVAL_MS = 15_000;

/** Every environment at a glance and every problem across them, worst first. */
export const OnCallDashboard = (props: { refreshIntervalMs?: number }) => {
  const intervalMs = props.refreshIntervalMs ?? ON_CALL_REFRESH_INTERVAL_MS;
  const api = useApi(environmentsApiRef);
  const [filters, setFilters] = useState<ProblemQuery>({});
  const environments = usePolling(() => api.listEnvironments(), intervalMs, [
    api,
  ]);
  const problems = usePolling(() => api.listProblems(filters), intervalMs, [
    api,
    filters.environment,
    filters.area,
    filters.minSeverity,
  ]);

  if (environments.loading) {
    return <Progress />;
  }
  if (!environments.value) {
    return <EnvironmentsErrorPanel error={environments.error!} />;
  }
  if (isPermissionDenied(environments.error)) {
    return <PermissionDeniedState />;
  }

  const summaries = [...environments.value.items].sort(compareEnvironments);
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
  };

  return (
    <>
      <ContentHeader title="Environments">
        <Box display="flex" alignItems="center" style={{ gap: 16 }}>
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
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <SandboxBanner summaries={summaries} />
        </Grid>
        {environments.error && (
          <Grid item xs={12}>
            <ResponseErrorPanel
              title="Refreshing the environment list failed; showing the last answer"
              error={environments.error}
            />
          </Grid>
        )}
        {summaries.map(summary => (
          <Grid item xs={12} md={6} key={summary.name}>
            <EnvironmentSummaryCard summary={summary} />
          </Grid>
        ))}
        <Grid item xs={12}>
          <ProblemFilters
            environments={summaries}
            value={filters}
            onChange={setFilters}
          />
          {problems.loading && <Progress />}
          {!problems.loading && problems.error && !problems.value && (
            <EnvironmentsErrorPanel error={problems.error} />
          )}
          {problems.value && (
            <ProblemsTable
              title={`Problems (${problems.value.items.length})`}
              problems={[...problems.value.items].sort(compareProblems)}
              emptyText="No problems match these filters."
            />
          )}
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
