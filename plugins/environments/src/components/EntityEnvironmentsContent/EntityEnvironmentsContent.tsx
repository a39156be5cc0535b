import { useMemo } from 'react';
import {
  Entity,
  parseEntityRef,
  RELATION_DEPENDS_ON,
} from '@backstage/catalog-model';
import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Grid from '@mui/material/Grid';
import Typography from '@mui/material/Typography';
import { EntityEnvironmentsResponse } from '@kler/plugin-environments-common';
import { environmentsApiRef } from '../../api';
import { BackupCoverageTable } from '../shared/BackupCoverageTable';
import { backupCoverageRows } from '../shared/backupCoverage';
import { EnvironmentsErrorPanel } from '../shared/errors';
import { HealthStatusIndicator } from '../shared/HealthStatusIndicator';
import { compareEnvironments, environmentTitle } from '../shared/labels';
import {
  SandboxBanner,
  StaleBadge,
  UnreadEnvironmentAlert,
  UpdatedAgo,
} from '../shared/SnapshotNotices';
import {
  MissingEcsServiceAnnotation,
  useEntityEnvironments,
} from '../shared/useEntityEnvironments';
import { ENTITY_REFRESH_INTERVAL_MS, usePolling } from '../shared/usePolling';
import { ParityTable } from '../ParityTable';
import { ServicePanel } from './ServicePanel';
import { getCapacityHistory, recordCapacity } from './serviceHistory';

type EnvironmentEntry = EntityEnvironmentsResponse['environments'][number];

/** Names of the catalog Resources the entity depends on, such as its database. */
function dependedOnResourceNames(entity: Entity): string[] {
  const refs = [
    ...(entity.relations ?? [])
      .filter(r => r.type === RELATION_DEPENDS_ON)
      .map(r => r.targetRef),
    ...((entity.spec?.dependsOn as string[] | undefined) ?? []),
  ];
  const names = new Set<string>();
  for (const ref of refs) {
    try {
      const parsed = parseEntityRef(ref);
      if (parsed.kind.toLocaleLowerCase('en-US') === 'resource') {
        names.add(parsed.name);
      }
    } catch {
      // a malformed ref in the catalog is not this view's to report
    }
  }
  return [...names];
}

/** Backups of the resources the entity uses, from the environment's snapshot. */
const EntityBackups = (props: {
  environment: string;
  region: string;
  resourceNames: string[];
  intervalMs: number;
}) => {
  const { environment, region, resourceNames, intervalMs } = props;
  const api = useApi(environmentsApiRef);
  const details = usePolling(
    () => api.getEnvironment(environment),
    intervalMs,
    [api, environment],
  );
  if (details.loading) return <Progress />;
  if (!details.value) {
    return (
      <Typography variant="body2" color="error">
        Backups could not be read: {details.error?.message}
      </Typography>
    );
  }
  const backup = details.value.snapshot?.backup;
  if (!backup) {
    return (
      <Typography variant="body2" color="text.secondary">
        No backup data in this environment's snapshot.
      </Typography>
    );
  }
  const rows = backupCoverageRows(backup).filter(row =>
    resourceNames.includes(row.resourceName),
  );
  return <BackupCoverageTable rows={rows} region={region} />;
};

const EnvironmentColumn = (props: {
  entry: EnvironmentEntry;
  serviceNames: string[];
  resourceNames: string[];
  intervalMs: number;
}) => {
  const { entry, serviceNames, resourceNames, intervalMs } = props;
  const { summary, services } = entry;
  const title = environmentTitle(summary);
  const missing = serviceNames.filter(
    name => !services.some(s => s.service.serviceName === name),
  );
  return (
    <InfoCard
      title={
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
          <span>{title}</span>
          <StaleBadge summary={summary} />
        </Box>
      }
      subheader={`${summary.tier} · ${summary.region} · cluster ${summary.cluster}`}
    >
      <section aria-label={`Environment ${title}`}>
        {!summary.refreshedAt ? (
          <UnreadEnvironmentAlert summary={summary} />
        ) : (
          <>
            <HealthStatusIndicator
              status={summary.status}
              subject={`${title} status`}
            >
              Environment {summary.status === 'ok' ? 'healthy' : summary.status}
            </HealthStatusIndicator>
            {missing.length > 0 && (
              <Alert severity="warning">
                No ECS service named {missing.join(', ')} in cluster{' '}
                {summary.cluster}.
              </Alert>
            )}
            {services.map(({ service, evaluation }) => (
              <ServicePanel
                key={service.serviceName}
                summary={summary}
                service={service}
                evaluation={evaluation}
                history={getCapacityHistory(summary.name, service.serviceName)}
              />
            ))}
            {resourceNames.length > 0 && (
              <Box role="group" mt={2} aria-label="Backups">
                <Typography variant="subtitle2" component="h4" gutterBottom>
                  Backups of {resourceNames.join(', ')}
                </Typography>
                <EntityBackups
                  environment={summary.name}
                  region={summary.region}
                  resourceNames={resourceNames}
                  intervalMs={intervalMs}
                />
              </Box>
            )}
          </>
        )}
      </section>
    </InfoCard>
  );
};

/** The entity's services in every environment, side by side, production first. */
export const EntityEnvironmentsContent = (props: {
  refreshIntervalMs?: number;
}) => {
  const intervalMs = props.refreshIntervalMs ?? ENTITY_REFRESH_INTERVAL_MS;
  const { entity } = useEntity();
  const { available, state } = useEntityEnvironments(intervalMs);

  // Recorded before rendering (idempotent per poll time) so the chart includes this poll.
  useMemo(() => {
    if (state.value && state.updatedAt) {
      recordCapacity(state.value, state.updatedAt.getTime());
    }
  }, [state.value, state.updatedAt]);

  if (!available) {
    return <MissingEcsServiceAnnotation />;
  }
  if (state.loading) return <Progress />;
  if (!state.value) return <EnvironmentsErrorPanel error={state.error!} />;

  const response = state.value;
  const entries = [...response.environments].sort((a, b) =>
    compareEnvironments(a.summary, b.summary),
  );
  const resourceNames = dependedOnResourceNames(entity);
  if (entries.length === 0) {
    return (
      <Typography variant="body1">
        No environments are configured yet.
      </Typography>
    );
  }
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Box
          sx={{
            display: 'flex',
            justifyContent: 'space-between',
            alignItems: 'center',
          }}
        >
          <Typography variant="body2">
            ECS services: {response.serviceNames.join(', ')}
          </Typography>
          <UpdatedAgo updatedAt={state.updatedAt} />
        </Box>
        <SandboxBanner summaries={entries.map(e => e.summary)} />
      </Grid>
      {entries.map(entry => (
        <Grid
          item
          xs={12}
          md={entries.length > 1 ? 6 : 12}
          key={entry.summary.name}
        >
          <EnvironmentColumn
            entry={entry}
            serviceNames={response.serviceNames}
            resourceNames={resourceNames}
            intervalMs={intervalMs}
          />
        </Grid>
      ))}
      <Grid item xs={12}>
        <ParityTable response={response} />
      </Grid>
    </Grid>
  );
};
