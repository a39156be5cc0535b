import Box from '@mui/material/Box';
import { SvgIconProps } from '@mui/material/SvgIcon';
import CheckCircleOutlineIcon from '@mui/icons-material/CheckCircleOutline';
import ErrorIcon from '@mui/icons-material/Error';
import HelpOutlineIcon from '@mui/icons-material/HelpOutline';
import WarningAmberIcon from '@mui/icons-material/WarningAmber';
import { HealthStatus } from '@kler/plugin-environments-common';

export const STATUS_TEXT: Record<HealthStatus, string> = {
  ok: 'Healthy',
  warning: 'Warning',
  error: 'Error',
  unknown: 'Unknown',
};

const STATUS_COLOR: Record<HealthStatus, SvgIconProps['color']> = {
  ok: 'success',
  warning: 'warning',
  error: 'error',
  unknown: 'disabled',
};

/**
 * A status icon: its shape says the status as well as its colour (a tick,
 * a triangle, a filled circle, a question mark), and its accessible name says
 * what it is about.
 */
export const StatusIcon = (props: {
  status: HealthStatus;
  /** The accessible name, e.g. "production status: Healthy". */
  label: string;
  fontSize?: SvgIconProps['fontSize'];
}) => {
  const { status, label, fontSize = 'small' } = props;
  const iconProps: SvgIconProps = {
    color: STATUS_COLOR[status],
    fontSize,
    role: 'img',
    'aria-hidden': false,
    'aria-label': label,
    sx: { verticalAlign: 'text-bottom', flexShrink: 0 },
  };
  switch (status) {
    case 'ok':
      return <CheckCircleOutlineIcon {...iconProps} />;
    case 'warning':
      return <WarningAmberIcon {...iconProps} />;
    case 'error':
      return <ErrorIcon {...iconProps} />;
    default:
      return <HelpOutlineIcon {...iconProps} />;
  }
};

/** A status icon with a text beside it; the icon's name says what the status is about. */
export const HealthStatusIndicator = (props: {
  status: HealthStatus;
  /** What the status is about, for the accessible name, e.g. "production health". */
  subject?: string;
  /** Text next to the icon; defaults to the status name. */
  children?: React.ReactNode;
}) => {
  const { status, subject, children } = props;
  const label = subject
    ? `${subject}: ${STATUS_TEXT[status]}`
    : STATUS_TEXT[status];
  return (
    <Box
      component="span"
      data-status={status}
      sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5 }}
    >
      <StatusIcon status={status} label={label} />
      <span>{children ?? STATUS_TEXT[status]}</span>
    </Box>
  );
};
