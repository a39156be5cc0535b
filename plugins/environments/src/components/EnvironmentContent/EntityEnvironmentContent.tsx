import { useMemo } from 'react';
import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Grid from '@mui/material/Grid';
import Typography from '@mui/material/Typography';
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
import { ProblemList } from '../shared/ProblemList';
import {
  SandboxBanner,
  StaleBadge,
  UnreadEnvironmentAlert,
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
    () => serviceRows({ snapshot, evaluation }, summary),
    [snapshot, evaluation, summary],
  );
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <SandboxBanner summaries={[summary]} />
        <Box
          sx={{
            display: 'flex',
            alignItems: 'center',
            flexWrap: 'wrap',
            gap: 2,
          }}
        >
          <HealthStatusIndicator
            status={summary.status}
            subject={`${title} status`}
          >
            {title}
          </HealthStatusIndicator>
          <StaleBadge summary={summary} />
          <Typography variant="body2" color="text.secondary">
            {summary.tier} · account {summary.accountId} · {summary.region} ·
            cluster {summary.cluster} · snapshot{' '}
            {formatDateTime(summary.refreshedAt)}
          </Typography>
        </Box>
        {!snapshot && <UnreadEnvironmentAlert summary={summary} />}
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
          <InfoCard
            title={`Problems (${evaluation?.problems.length ?? 0})`}
            noPadding
          >
            <Box sx={{ px: 1, pb: 1 }}>
              <ProblemList
                problems={evaluation?.problems ?? []}
                label={`Problems of ${title}`}
                showEnvironment={false}
                emptyText="No problems found."
              />
            </Box>
          </InfoCard>
        </Grid>
      )}
      <Grid item xs={12}>
        <EnvironmentRunsTable environment={summary.name} />
      </Grid>
      {snapshot && (
        <>
          <Grid item xs={12}>
            <ServicesTable rows={rows} environmentTitle={title} />
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
      <Box sx={{ display: 'flex', justifyContent: 'flex-end' }}>
        <UpdatedAgo updatedAt={state.updatedAt} />
      </Box>
      <EnvironmentDetails details={state.value} />
    </>
  );
};
