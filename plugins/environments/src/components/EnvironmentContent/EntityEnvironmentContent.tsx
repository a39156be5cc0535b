import { useMemo } from 'react';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Box, Grid, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  EnvironmentDetailsResponse,
  isEnvironmentEntity,
} from '@kler/plugin-environments-common';
import { environmentsApiRef } from '../../api';
import { EnvironmentsErrorPanel } from '../shared/errors';
import { HealthStatusIndicator } from '../shared/HealthStatusIndicator';
import {
  AREA_LABELS,
  environmentTitle,
  formatDateTime,
} from '../shared/labels';
import { ProblemsTable } from '../shared/ProblemsTable';
import {
  SandboxBanner,
  StaleBadge,
  UpdatedAgo,
} from '../shared/SnapshotNotices';
import { ENTITY_REFRESH_INTERVAL_MS, usePolling } from '../shared/usePolling';
import {
  BackupCard,
  CapacityCard,
  WellArchitectedCard,
} from './EnvironmentDetailsCards';
import { EnvironmentRunsTable } from './EnvironmentRunsTable';
import { serviceRows, ServicesTable } from './ServicesTable';

/** The whole environment as its snapshot shows it. */
export const EnvironmentDetails = (props: {
  details: EnvironmentDetailsResponse;
}) => {
  const { summary, snapshot, evaluation } = props.details;
  const title = environmentTitle(summary);
  const rows = useMemo(
    () =>
      snapshot
        ? serviceRows(snapshot.services, evaluation?.services ?? [], summary)
        : [],
    [snapshot, evaluation, summary],
  );
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <SandboxBanner summaries={[summary]} />
        <Box
          display="flex"
          alignItems="center"
          flexWrap="wrap"
          style={{ gap: 16 }}
        >
          <HealthStatusIndicator
            status={summary.status}
            subject={`${title} status`}
          >
            {title}
          </HealthStatusIndicator>
          <StaleBadge summary={summary} />
          <Typography variant="body2" color="textSecondary">
            {summary.tier} · account {summary.accountId} · {summary.region} ·
            cluster {summary.cluster} · snapshot{' '}
            {formatDateTime(summary.refreshedAt)}
          </Typography>
        </Box>
        {!snapshot && (
          <Alert severity="error">
            Could not read this environment
            {summary.error
              ? `: ${summary.error.name}: ${summary.error.message}`
              : '.'}
          </Alert>
        )}
        {snapshot?.readErrors.map(readError => (
          <Alert severity="warning" key={`${readError.area}/${readError.name}`}>
            {AREA_LABELS[readError.area]} could not be read: {readError.name}:{' '}
            {readError.message}
          </Alert>
        ))}
      </Grid>
      {(snapshot || evaluation) && (
        // Without a snapshot, the evaluation holds what the runs say (a failed apply).
        <Grid item xs={12}>
          <ProblemsTable
            title={`Problems (${evaluation?.problems.length ?? 0})`}
            problems={evaluation?.problems ?? []}
            showEnvironment={false}
          />
        </Grid>
      )}
      <Grid item xs={12}>
        <EnvironmentRunsTable environment={summary.name} />
      </Grid>
      {snapshot && (
        <>
          <Grid item xs={12}>
            <ServicesTable rows={rows} />
          </Grid>
          <Grid item xs={12}>
            <CapacityCard cluster={snapshot.cluster} region={summary.region} />
          </Grid>
          <Grid item xs={12}>
            <BackupCard
              backup={snapshot.backup}
              region={summary.region}
              readAt={snapshot.readAt}
            />
          </Grid>
          <Grid item xs={12}>
            <WellArchitectedCard
              review={snapshot.wellArchitected}
              region={summary.region}
            />
          </Grid>
        </>
      )}
    </Grid>
  );
};

/** The "Environment" tab of a Resource of spec.type environment. */
export const EntityEnvironmentContent = (props: {
  refreshIntervalMs?: number;
}) => {
  const intervalMs = props.refreshIntervalMs ?? ENTITY_REFRESH_INTERVAL_MS;
  const { entity } = useEntity();
  const api = useApi(environmentsApiRef);
  const isEnvironment = isEnvironmentEntity(entity);
  const name = entity.metadata.name;
  const state = usePolling(
    () =>
      isEnvironment ? api.getEnvironment(name) : Promise.resolve(undefined),
    intervalMs,
    [api, isEnvironment, name],
  );
  if (!isEnvironment) {
    return (
      <Typography variant="body1">
        This entity is not an environment: it needs kind Resource and spec.type
        environment.
      </Typography>
    );
  }
  if (state.loading) return <Progress />;
  if (!state.value) return <EnvironmentsErrorPanel error={state.error!} />;
  return (
    <>
      <Box display="flex" justifyContent="flex-end">
        <UpdatedAgo updatedAt={state.updatedAt} />
      </Box>
      <EnvironmentDetails details={state.value} />
    </>
  );
};
