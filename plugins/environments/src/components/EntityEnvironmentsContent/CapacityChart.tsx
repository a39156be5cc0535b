import { Box, Typography } from '@material-ui/core';
import { makeStyles } from '@material-ui/core/styles';
import { CapacityPoint } from './serviceHistory';

const WIDTH = 300;
const HEIGHT = 80;
const PADDING = 6;

const useStyles = makeStyles(theme => ({
  svg: {
    width: '100%',
    maxWidth: 480,
    height: 'auto',
    display: 'block',
  },
  axis: { stroke: theme.palette.divider, strokeWidth: 1 },
  desired: {
    fill: 'none',
    stroke: theme.palette.primary.main,
    strokeWidth: 2,
    strokeDasharray: '4 3',
  },
  running: {
    fill: 'none',
    stroke: theme.palette.success.main,
    strokeWidth: 2,
  },
  desiredDot: { fill: theme.palette.primary.main },
  runningDot: { fill: theme.palette.success.main },
  legendDesired: { color: theme.palette.primary.main },
  legendRunning: { color: theme.palette.success.main },
}));

/** Desired vs running task counts over the polls seen since the page was opened. */
export const CapacityChart = (props: {
  points: CapacityPoint[];
  maxCapacity?: number;
  serviceName: string;
}) => {
  const classes = useStyles();
  const { points, maxCapacity, serviceName } = props;
  if (points.length === 0) return null;
  const top = Math.max(
    1,
    maxCapacity ?? 0,
    ...points.map(p => Math.max(p.desired, p.running)),
  );
  const first = points[0].at;
  const span = Math.max(1, points[points.length - 1].at - first);
  const x = (p: CapacityPoint) =>
    points.length === 1
      ? WIDTH / 2
      : PADDING + ((p.at - first) / span) * (WIDTH - 2 * PADDING);
  const y = (value: number) =>
    HEIGHT - PADDING - (value / top) * (HEIGHT - 2 * PADDING);
  const line = (pick: (p: CapacityPoint) => number) =>
    points.map(p => `${x(p).toFixed(1)},${y(pick(p)).toFixed(1)}`).join(' ');
  const latest = points[points.length - 1];
  return (
    <Box>
      <svg
        className={classes.svg}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`${serviceName}: desired vs running tasks since page opened, ${points.length} samples, now ${latest.running} running of ${latest.desired} desired`}
      >
        <line
          className={classes.axis}
          x1={PADDING}
          x2={WIDTH - PADDING}
          y1={HEIGHT - PADDING}
          y2={HEIGHT - PADDING}
        />
        {points.length > 1 ? (
          <>
            <polyline
              className={classes.desired}
              points={line(p => p.desired)}
            />
            <polyline
              className={classes.running}
              points={line(p => p.running)}
            />
          </>
        ) : (
          <>
            <circle
              className={classes.desiredDot}
              cx={x(latest)}
              cy={y(latest.desired)}
              r={4}
            />
            <circle
              className={classes.runningDot}
              cx={x(latest)}
              cy={y(latest.running)}
              r={3}
            />
          </>
        )}
      </svg>
      <Typography variant="caption" color="textSecondary">
        <span className={classes.legendDesired}>- - desired</span>{' '}
        <span className={classes.legendRunning}>— running</span>, since page
        opened (max {top})
      </Typography>
    </Box>
  );
};
