import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { useTheme } from '@mui/material/styles';
import { CapacityPoint } from './serviceHistory';

const WIDTH = 300;
const HEIGHT = 80;
const PADDING = 6;

/** A line sample for the legend; the words beside it say what it is. */
const LegendLine = (props: { color: string; dashed?: boolean }) => (
  <svg width={18} height={6} aria-hidden style={{ verticalAlign: 'middle' }}>
    <line
      x1={0}
      x2={18}
      y1={3}
      y2={3}
      stroke={props.color}
      strokeWidth={2}
      strokeDasharray={props.dashed ? '4 3' : undefined}
    />
  </svg>
);

/** Desired vs running task counts over the polls seen since the page was opened. */
export const CapacityChart = (props: {
  points: CapacityPoint[];
  maxCapacity?: number;
  serviceName: string;
}) => {
  const theme = useTheme();
  const desiredColor = theme.palette.primary.main;
  const runningColor = theme.palette.success.main;
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
        style={{
          width: '100%',
          maxWidth: 480,
          height: 'auto',
          display: 'block',
        }}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`${serviceName}: desired vs running tasks since page opened, ${points.length} samples, now ${latest.running} running of ${latest.desired} desired`}
      >
        <line
          stroke={theme.palette.divider}
          strokeWidth={1}
          x1={PADDING}
          x2={WIDTH - PADDING}
          y1={HEIGHT - PADDING}
          y2={HEIGHT - PADDING}
        />
        {points.length > 1 ? (
          <>
            <polyline
              fill="none"
              stroke={desiredColor}
              strokeWidth={2}
              strokeDasharray="4 3"
              points={line(p => p.desired)}
            />
            <polyline
              fill="none"
              stroke={runningColor}
              strokeWidth={2}
              points={line(p => p.running)}
            />
          </>
        ) : (
          <>
            <circle
              fill={desiredColor}
              cx={x(latest)}
              cy={y(latest.desired)}
              r={4}
            />
            <circle
              fill={runningColor}
              cx={x(latest)}
              cy={y(latest.running)}
              r={3}
            />
          </>
        )}
      </svg>
      <Typography variant="caption" color="text.secondary">
        <LegendLine color={desiredColor} dashed /> desired{' '}
        <LegendLine color={runningColor} /> running, since page opened (max{' '}
        {top})
      </Typography>
    </Box>
  );
};
