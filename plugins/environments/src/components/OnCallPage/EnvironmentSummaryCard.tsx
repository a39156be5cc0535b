import { InfoCard } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { Box, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  ENVIRONMENT_AREAS,
  EnvironmentSummary,
  PROBLEM_SEVERITIES,
} from '@kler/plugin-environments-common';
import { HealthStatusIndicator } from '../shared/HealthStatusIndicator';
import {
  AREA_LABELS,
  SEVERITY_LABELS,
  environmentTitle,
  formatDateTime,
} from '../shared/labels';
import { StaleBadge } from '../shared/SnapshotNotices';

/** One environment at a glance: status per area and problem counts. */
export const EnvironmentSummaryCard = (props: {
  summary: EnvironmentSummary;
}) => {
  const { summary } = props;
  const title = environmentTitle(summary);
  const neverRead = !summary.refreshedAt;
  return (
    <InfoCard
      title={
        <Box display="flex" alignItems="center" style={{ gap: 8 }}>
          <span>{title}</span>
          <StaleBadge summary={summary} />
        </Box>
      }
      subheader={`${summary.tier} · account ${summary.accountId} · ${summary.region} · cluster ${summary.cluster}`}
    >
      <section aria-label={`Environment ${title}`}>
        {neverRead ? (
          <Alert severity="error">
            Could not read this environment
            {summary.error
              ? `: ${summary.error.name}: ${summary.error.message}`
              : '.'}
          </Alert>
        ) : (
          <>
            <HealthStatusIndicator
              status={summary.status}
              subject={`${title} status`}
            />
            <Box display="flex" flexWrap="wrap" style={{ gap: 16 }} my={1}>
              {ENVIRONMENT_AREAS.map(area => (
                <HealthStatusIndicator
                  key={area}
                  status={summary.areas[area]}
                  subject={`${title} ${AREA_LABELS[area]}`}
                >
                  {AREA_LABELS[area]}
                </HealthStatusIndicator>
              ))}
            </Box>
            <Typography variant="body2">
              {summary.counts.services} services,{' '}
              {summary.counts.servicesWithProblems} with problems
            </Typography>
            <Typography variant="body2">
              Problems:{' '}
              {PROBLEM_SEVERITIES.map(
                severity =>
                  `${summary.counts.problems[severity]} ${SEVERITY_LABELS[
                    severity
                  ].toLocaleLowerCase('en-US')}`,
              ).join(', ')}
            </Typography>
            <Typography variant="caption" color="textSecondary">
              Snapshot read {formatDateTime(summary.refreshedAt)}
            </Typography>
          </>
        )}
        {summary.entityRef && (
          <Box mt={1}>
            <EntityRefLink
              entityRef={summary.entityRef}
              title={`Open ${title}`}
            />
          </Box>
        )}
      </section>
    </InfoCard>
  );
};
