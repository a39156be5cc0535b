import { InfoCard, Progress } from '@backstage/core-components';
import { Box, Typography } from '@material-ui/core';
import { EnvironmentsErrorPanel } from '../shared/errors';
import { HealthStatusIndicator } from '../shared/HealthStatusIndicator';
import { compareEnvironments, environmentTitle } from '../shared/labels';
import { SeverityChip } from '../shared/ProblemsTable';
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
              <Box display="flex" alignItems="center" style={{ gap: 8 }}>
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
                <Typography variant="body2" color="textSecondary">
                  Not deployed in this environment.
                </Typography>
              )}
              {services.map(({ service, evaluation }) => {
                const primary = service.deployments.find(
                  d => d.status === 'PRIMARY',
                );
                const worst = evaluation.problems[0];
                return (
                  <Box key={service.serviceName} ml={1}>
                    <HealthStatusIndicator
                      status={evaluation.status}
                      subject={`${service.serviceName} in ${title}`}
                    >
                      {service.serviceName}: {service.runningCount}/
                      {service.desiredCount} running
                      {primary?.rolloutState &&
                        `, rollout ${primary.rolloutState.toLocaleLowerCase(
                          'en-US',
                        )}`}
                      {service.scaling &&
                        `, scales ${service.scaling.minCapacity}–${service.scaling.maxCapacity}`}
                    </HealthStatusIndicator>
                    {worst && (
                      <Box
                        display="flex"
                        alignItems="center"
                        style={{ gap: 8 }}
                      >
                        <SeverityChip severity={worst.severity} />
                        <Typography variant="body2">
                          {worst.title}
                          {evaluation.problems.length > 1 &&
                            ` (+${evaluation.problems.length - 1} more)`}
                        </Typography>
                      </Box>
                    )}
                  </Box>
                );
              })}
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
