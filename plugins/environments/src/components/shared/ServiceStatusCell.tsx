import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { ServiceCell } from '@kler/plugin-environments-common';
import { STATUS_TEXT, StatusIcon } from './HealthStatusIndicator';

const ROLLOUT_TEXT: Record<string, string> = {
  IN_PROGRESS: 'rolling out',
  FAILED: 'rollout failed',
};

/** The words of a cell, without its status: "2/3 running, rolling out, at max". */
export function describeServiceCell(cell: ServiceCell): string {
  return [
    `${cell.runningCount}/${cell.desiredCount} running`,
    cell.pendingCount > 0 ? `${cell.pendingCount} pending` : undefined,
    cell.rolloutState ? ROLLOUT_TEXT[cell.rolloutState] : undefined,
    cell.atMax ? 'at max' : undefined,
  ]
    .filter(Boolean)
    .join(', ');
}

/**
 * One service in one environment at a glance: status icon, running/desired,
 * rollout and whether scaling is at its maximum. The same cell on the on-call
 * matrix, the Environment page and the Environments tab.
 */
export const ServiceStatusCell = (props: {
  cell?: ServiceCell;
  serviceName: string;
  environmentTitle: string;
}) => {
  const { cell, serviceName, environmentTitle } = props;
  if (!cell) {
    return (
      <Typography variant="body2" color="text.secondary" component="span">
        not deployed
      </Typography>
    );
  }
  const text = describeServiceCell(cell);
  return (
    <Box
      component="span"
      data-status={cell.status}
      sx={{
        display: 'inline-flex',
        alignItems: 'center',
        gap: 0.75,
        minWidth: 0,
      }}
    >
      <StatusIcon
        status={cell.status}
        label={`${serviceName} in ${environmentTitle}: ${
          STATUS_TEXT[cell.status]
        }`}
      />
      <Typography
        variant="body2"
        component="span"
        noWrap
        title={text}
        sx={{
          fontVariantNumeric: 'tabular-nums',
          fontWeight: cell.status === 'ok' ? 400 : 600,
        }}
      >
        {text}
        {cell.problemCount > 0 &&
          ` · ${cell.problemCount} problem${cell.problemCount > 1 ? 's' : ''}`}
      </Typography>
    </Box>
  );
};
