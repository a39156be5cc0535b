import { Chip, Tooltip, Typography } from '@material-ui/core';
import { makeStyles } from '@material-ui/core/styles';
import { Alert, AlertTitle } from '@material-ui/lab';
import { EnvironmentSummary } from '@kler/plugin-environments-common';
import { formatDateTime } from './labels';
import { useNow } from './usePolling';

const useStyles = makeStyles(theme => ({
  stale: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
}));

/** A badge saying the snapshot is old, with the failed refresh's error. */
export const StaleBadge = (props: { summary: EnvironmentSummary }) => {
  const classes = useStyles();
  const { summary } = props;
  if (!summary.stale) return null;
  const reason = summary.error
    ? `${summary.error.name}: ${summary.error.message}`
    : 'The latest refresh failed';
  const text = `Stale data from ${formatDateTime(
    summary.refreshedAt,
  )}. ${reason}`;
  return (
    <Tooltip title={text}>
      <Chip
        size="small"
        label="Stale"
        className={classes.stale}
        aria-label={text}
      />
    </Tooltip>
  );
};

/** Shown above any view that holds data from the local AWS sandbox. */
export const SandboxBanner = (props: { summaries: EnvironmentSummary[] }) => {
  const sandboxed = props.summaries.filter(s => s.source === 'sandbox');
  if (sandboxed.length === 0) return null;
  return (
    <Alert severity="info" variant="outlined">
      <AlertTitle>Sandbox data</AlertTitle>
      {sandboxed.map(s => s.name).join(', ')}: read from the local AWS sandbox,
      not from real AWS accounts.
    </Alert>
  );
};

export const UpdatedAgo = (props: { updatedAt?: Date }) => {
  const now = useNow();
  if (!props.updatedAt) return null;
  const seconds = Math.max(
    0,
    Math.round((now.getTime() - props.updatedAt.getTime()) / 1000),
  );
  return (
    <Typography variant="body2" color="textSecondary" aria-live="off">
      updated {seconds} s ago
    </Typography>
  );
};
