import { Box, Tooltip, Typography } from '@material-ui/core';
import { makeStyles } from '@material-ui/core/styles';
import { BackupJob } from '@kler/plugin-environments-common';

const DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface BackupDay {
  /** YYYY-MM-DD in UTC. */
  day: string;
  completed: number;
  failed: number;
  other: number;
}

const FAILED_STATES = ['FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'];

/** Backup jobs per UTC day for the 7 days up to `end`, oldest first. */
export function backupJobsPerDay(jobs: BackupJob[], end: Date): BackupDay[] {
  const days: BackupDay[] = [];
  for (let i = DAYS - 1; i >= 0; i--) {
    const day = new Date(end.getTime() - i * DAY_MS).toISOString().slice(0, 10);
    days.push({ day, completed: 0, failed: 0, other: 0 });
  }
  for (const job of jobs) {
    const entry = days.find(d => d.day === job.creationDate.slice(0, 10));
    if (!entry) continue;
    if (job.state === 'COMPLETED') entry.completed += 1;
    else if (FAILED_STATES.includes(job.state)) entry.failed += 1;
    else entry.other += 1;
  }
  return days;
}

const useStyles = makeStyles(theme => ({
  day: {
    width: 48,
    minHeight: 40,
    borderRadius: 4,
    display: 'flex',
    flexDirection: 'column',
    justifyContent: 'center',
    alignItems: 'center',
    border: `1px solid ${theme.palette.divider}`,
    color: theme.palette.text.primary,
  },
  failed: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  completed: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.success.contrastText,
  },
}));

/** One square per day: red with any failure, green with only successes, empty otherwise. */
export const BackupJobStrip = (props: { jobs: BackupJob[]; end: Date }) => {
  const classes = useStyles();
  const days = backupJobsPerDay(props.jobs, props.end);
  return (
    <Box>
      <Box
        display="flex"
        style={{ gap: 4 }}
        role="list"
        aria-label="Backup jobs per day"
      >
        {days.map(day => {
          const text = `${day.day}: ${day.completed} completed, ${
            day.failed
          } failed${day.other ? `, ${day.other} running or pending` : ''}`;
          let className = classes.day;
          if (day.failed > 0) className = `${classes.day} ${classes.failed}`;
          else if (day.completed > 0)
            className = `${classes.day} ${classes.completed}`;
          return (
            <Tooltip key={day.day} title={text}>
              <div className={className} role="listitem" aria-label={text}>
                <Typography variant="caption">{day.day.slice(5)}</Typography>
                <Typography variant="caption">
                  {day.completed}✓ {day.failed}✗
                </Typography>
              </div>
            </Tooltip>
          );
        })}
      </Box>
    </Box>
  );
};
