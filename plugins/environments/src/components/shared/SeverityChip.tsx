import Chip from '@mui/material/Chip';
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

/** The severity in words, with an icon of its own; critical is filled, the others outlined. */
export const SeverityChip = (props: { severity: ProblemSeverity }) => {
  const { severity } = props;
  const { color, icon } = SEVERITY_STYLE[severity];
  return (
    <Chip
      size="small"
      color={color}
      icon={icon}
      variant={severity === 'critical' ? 'filled' : 'outlined'}
      label={SEVERITY_LABELS[severity]}
      sx={{ fontWeight: severity === 'critical' ? 700 : 500, minWidth: 88 }}
    />
  );
};
