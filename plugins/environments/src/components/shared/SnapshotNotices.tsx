import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Chip from '@mui/material/Chip';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import HistoryIcon from '@mui/icons-material/History';
import { EnvironmentSummary } from '@kler/plugin-environments-common';
import { formatDateTime } from './labels';
import { useNow } from './usePolling';

/** "12 s ago", "4 min ago", "3 h ago": how old a time is, for freshness. */
export function formatAge(from: Date | string, now: Date): string {
  const seconds = Math.max(
    0,
    Math.round((now.getTime() - new Date(from).getTime()) / 1000),
  );
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

/** A badge saying the snapshot is old, with the failed refresh's error. */
export const StaleBadge = (props: { summary: EnvironmentSummary }) => {
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
        color="warning"
        icon={<HistoryIcon />}
        label="Stale"
        tabIndex={0}
        role="status"
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
    <Alert severity="info" variant="outlined" sx={{ mb: 2 }}>
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
    <Typography variant="body2" color="text.secondary" aria-live="off">
      updated {seconds} s ago
    </Typography>
  );
};

/** What a view shows for an environment no read ever succeeded for. */
export const UnreadEnvironmentAlert = (props: {
  summary: EnvironmentSummary;
}) => {
  const { summary } = props;
  return (
    <Alert severity="error">
      Could not read this environment
      {summary.error
        ? `: ${summary.error.name}: ${summary.error.message}`
        : '.'}
    </Alert>
  );
};
