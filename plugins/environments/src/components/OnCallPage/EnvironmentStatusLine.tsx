import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import {
  EnvironmentSummary,
  PROBLEM_SEVERITIES,
} from '@kler/plugin-environments-common';
import { StatusIcon, STATUS_TEXT } from '../shared/HealthStatusIndicator';
import { environmentTitle, SEVERITY_LABELS } from '../shared/labels';
import { formatAge, StaleBadge } from '../shared/SnapshotNotices';

const SEVERITY_COLOR = {
  critical: 'error.main',
  high: 'error.main',
  medium: 'warning.main',
  low: 'info.main',
} as const;

/**
 * One environment on one line: status, problem counts by severity (words,
 * not colour alone), services with problems, and how fresh the snapshot is.
 */
export const EnvironmentStatusLine = (props: {
  summary: EnvironmentSummary;
  now: Date;
}) => {
  const { summary, now } = props;
  const entityRoute = useRouteRef(entityRouteRef);
  const title = environmentTitle(summary);
  const neverRead = !summary.refreshedAt;
  const name = (
    <Typography variant="subtitle1" component="h2" sx={{ fontWeight: 600 }}>
      {summary.entityRef ? (
        <Link
          to={`${entityRoute(parseEntityRef(summary.entityRef))}/environment`}
        >
          {title}
        </Link>
      ) : (
        title
      )}
    </Typography>
  );
  return (
    <Box
      component="section"
      aria-label={`Environment ${title}`}
      data-status={summary.status}
      sx={{
        display: 'grid',
        gridTemplateColumns: {
          xs: '1fr',
          md: 'minmax(220px, 1.2fr) minmax(280px, 2fr) minmax(160px, 1fr) auto',
        },
        alignItems: 'center',
        columnGap: 2,
        rowGap: 0.5,
        px: 2,
        py: 1,
        borderLeft: 4,
        borderColor: neverRead
          ? 'error.main'
          : {
              ok: 'success.main',
              warning: 'warning.main',
              error: 'error.main',
              unknown: 'action.disabled',
            }[summary.status],
      }}
    >
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
        <StatusIcon
          status={neverRead ? 'unknown' : summary.status}
          label={`${title} status: ${
            neverRead ? 'Not read' : STATUS_TEXT[summary.status]
          }`}
          fontSize="medium"
        />
        {name}
        <Typography variant="caption" color="text.secondary">
          {summary.tier}
        </Typography>
      </Box>
      {neverRead ? (
        <Typography variant="body2" color="error" sx={{ gridColumn: 'span 2' }}>
          Could not read this environment
          {summary.error
            ? `: ${summary.error.name}: ${summary.error.message}`
            : '.'}
        </Typography>
      ) : (
        <>
          <Box
            aria-label={`${title} problems`}
            role="group"
            sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}
          >
            {PROBLEM_SEVERITIES.map(severity => {
              const count = summary.counts.problems[severity];
              return (
                <Box
                  key={severity}
                  component="span"
                  sx={{
                    display: 'inline-flex',
                    alignItems: 'center',
                    gap: 0.5,
                  }}
                >
                  {count > 0 && (
                    <Box
                      component="span"
                      aria-hidden
                      sx={{
                        width: 10,
                        height: 10,
                        borderRadius: severity === 'critical' ? 0 : '50%',
                        bgcolor: SEVERITY_COLOR[severity],
                      }}
                    />
                  )}
                  <Typography
                    variant="body2"
                    component="span"
                    color={count > 0 ? 'text.primary' : 'text.secondary'}
                    sx={{
                      fontVariantNumeric: 'tabular-nums',
                      fontWeight: count > 0 ? 700 : 400,
                    }}
                  >
                    {count}{' '}
                    {SEVERITY_LABELS[severity].toLocaleLowerCase('en-US')}
                  </Typography>
                </Box>
              );
            })}
          </Box>
          <Typography variant="body2" color="text.secondary">
            {summary.counts.servicesWithProblems} of {summary.counts.services}{' '}
            services with problems
          </Typography>
        </>
      )}
      <Box
        sx={{
          display: 'flex',
          alignItems: 'center',
          gap: 1,
          justifySelf: { md: 'end' },
        }}
      >
        <Typography variant="body2" color="text.secondary" noWrap>
          {summary.refreshedAt
            ? `read ${formatAge(summary.refreshedAt, now)}`
            : 'never read'}
        </Typography>
        <StaleBadge summary={summary} />
      </Box>
    </Box>
  );
};
