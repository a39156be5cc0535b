import { InfoCard, Progress } from '@backstage/core-components';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { serviceCellOf } from '@kler/plugin-environments-common';
import { EnvironmentsErrorPanel } from '../shared/errors';
import { compareEnvironments, environmentTitle } from '../shared/labels';
import { ProblemList } from '../shared/ProblemList';
import { ServiceStatusCell } from '../shared/ServiceStatusCell';
import {
  SandboxBanner,
  StaleBadge,
  UpdatedAgo,
} from '../shared/SnapshotNotices';
import {
  MissingEcsServiceAnnotation,
  useEntityEnvironments,
} from '../shared/useEntityEnvironments';

/** The entity's services per environment at a glance, for the overview tab. */
export const EntityEnvironmentsOverviewCard = (props: {
  refreshIntervalMs?: number;
}) => {
  const { available, state } = useEntityEnvironments(props.refreshIntervalMs);

  const content = (() => {
    if (!available) {
      return <MissingEcsServiceAnnotation />;
    }
    if (state.loading) return <Progress />;
    if (!state.value) return <EnvironmentsErrorPanel error={state.error!} />;
    const entries = [...state.value.environments].sort((a, b) =>
      compareEnvironments(a.summary, b.summary),
    );
    if (entries.length === 0) {
      return (
        <Typography variant="body2">
          No environments are configured yet.
        </Typography>
      );
    }
    return (
      <>
        <SandboxBanner summaries={entries.map(e => e.summary)} />
        {entries.map(({ summary, services }) => {
          const title = environmentTitle(summary);
          return (
            <Box
              component="section"
              key={summary.name}
              aria-label={`Environment ${title}`}
              mt={2}
            >
              <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
                <Typography variant="subtitle1" component="h3">
                  {title}
                </Typography>
                <StaleBadge summary={summary} />
              </Box>
              {!summary.refreshedAt && (
                <Typography variant="body2" color="error">
                  Could not read this environment
                  {summary.error ? `: ${summary.error.message}` : '.'}
                </Typography>
              )}
              {summary.refreshedAt && services.length === 0 && (
                <Typography variant="body2" color="text.secondary">
                  Not deployed in this environment.
                </Typography>
              )}
              {services.map(({ service, evaluation }) => (
                <Box key={service.serviceName} sx={{ ml: 1, mb: 1 }}>
                  <Box sx={{ display: 'flex', alignItems: 'baseline', gap: 1 }}>
                    <Typography variant="body2" sx={{ fontWeight: 600 }}>
                      {service.serviceName}
                    </Typography>
                    <ServiceStatusCell
                      cell={serviceCellOf(service, evaluation)}
                      serviceName={service.serviceName}
                      environmentTitle={title}
                    />
                  </Box>
                  {evaluation.problems.length > 0 && (
                    <ProblemList
                      problems={evaluation.problems}
                      label={`Problems of ${service.serviceName} in ${title}`}
                      showEnvironment={false}
                      showService={false}
                    />
                  )}
                </Box>
              ))}
            </Box>
          );
        })}
      </>
    );
  })();

  return (
    <InfoCard
      title="Environments"
      action={
        <Box pt={2} pr={1}>
          <UpdatedAgo updatedAt={state.updatedAt} />
        </Box>
      }
    >
      {content}
    </InfoCard>
  );
};
