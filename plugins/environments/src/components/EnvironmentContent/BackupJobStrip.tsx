import Box from '@mui/material/Box';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
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

const daySx = {
  width: 48,
  minHeight: 40,
  borderRadius: 1,
  display: 'flex',
  flexDirection: 'column',
  justifyContent: 'center',
  alignItems: 'center',
  border: 1,
  borderColor: 'divider',
  color: 'text.primary',
} as const;

/** One square per day: a red border with any failure, green with only successes, plain otherwise. */
export const BackupJobStrip = (props: { jobs: BackupJob[]; end: Date }) => {
  const days = backupJobsPerDay(props.jobs, props.end);
  return (
    <Box>
      <Box
        sx={{ display: 'flex', gap: 0.5 }}
        role="list"
        aria-label="Backup jobs per day"
      >
        {days.map(day => {
          const text = `${day.day}: ${day.completed} completed, ${
            day.failed
          } failed${day.other ? `, ${day.other} running or pending` : ''}`;
          // The colour is in the border, thick and on a tinted ground; the
          // counts (✓ ✗) say it in words, readable on either theme.
          let colors = {};
          if (day.failed > 0) {
            colors = { borderColor: 'error.main', borderWidth: 3 };
          } else if (day.completed > 0) {
            colors = { borderColor: 'success.main', borderWidth: 3 };
          }
          return (
            <Tooltip key={day.day} title={text}>
              <Box
                sx={{ ...daySx, ...colors }}
                role="listitem"
                aria-label={text}
                tabIndex={0}
              >
                <Typography variant="caption">{day.day.slice(5)}</Typography>
                <Typography variant="caption">
                  {day.completed}✓ {day.failed}✗
                </Typography>
              </Box>
            </Tooltip>
          );
        })}
      </Box>
    </Box>
  );
};
