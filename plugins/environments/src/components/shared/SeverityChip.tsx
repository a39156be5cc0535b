import Chip, { chipClasses } from '@mui/material/Chip';
import ErrorIcon from '@mui/icons-material/Error';
import InfoOutlinedIcon from '@mui/icons-material/InfoOutlined';
import ReportIcon from '@mui/icons-material/Report';
import WarningAmberIcon from '@mui/icons-material/WarningAmber';
import { ProblemSeverity } from '@kler/plugin-environments-common';
import { SEVERITY_LABELS } from './labels';

const SEVERITY_STYLE: Record<
  ProblemSeverity,
  { color: 'error' | 'warning' | 'info'; icon: React.ReactElement }
> = {
  critical: { color: 'error', icon: <ReportIcon /> },
  high: { color: 'error', icon: <ErrorIcon /> },
  medium: { color: 'warning', icon: <WarningAmberIcon /> },
  low: { color: 'info', icon: <InfoOutlinedIcon /> },
};

/**
 * The severity in words beside an icon of its own. The icon and the border
 * carry the colour; the words keep the text colour, which reads on any theme
 * (orange or light-blue text would not). Critical has a heavier border and
 * bold words.
 */
export const SeverityChip = (props: { severity: ProblemSeverity }) => {
  const { severity } = props;
  const { color, icon } = SEVERITY_STYLE[severity];
  const critical = severity === 'critical';
  return (
    <Chip
      size="small"
      variant="outlined"
      icon={icon}
      label={SEVERITY_LABELS[severity]}
      sx={{
        minWidth: 88,
        justifyContent: 'flex-start',
        color: 'text.primary',
        borderColor: `${color}.main`,
        borderWidth: critical ? 2 : 1,
        fontWeight: critical ? 700 : 500,
        [`& .${chipClasses.icon}`]: { color: `${color}.main` },
      }}
    />
  );
};
