import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import { HealthStatus } from '@kler/plugin-environments-common';

const STATUS_TEXT: Record<HealthStatus, string> = {
  ok: 'Healthy',
  warning: 'Warning',
  error: 'Error',
  unknown: 'Unknown',
};

/** A Backstage status dot with a text, readable by screen readers. */
export const HealthStatusIndicator = (props: {
  status: HealthStatus;
  /** What the status is about, for the accessible name, e.g. "production health". */
  subject?: string;
  /** Text next to the dot; defaults to the status name. */
  children?: React.ReactNode;
}) => {
  const { status, subject, children } = props;
  const text = children ?? STATUS_TEXT[status];
  const label = subject
    ? `${subject}: ${STATUS_TEXT[status]}`
    : STATUS_TEXT[status];
  const content = (() => {
    switch (status) {
      case 'ok':
        return <StatusOK>{text}</StatusOK>;
      case 'warning':
        return <StatusWarning>{text}</StatusWarning>;
      case 'error':
        return <StatusError>{text}</StatusError>;
      default:
        return <StatusPending>{text}</StatusPending>;
    }
  })();
  return (
    <span role="img" aria-label={label} data-status={status}>
      {content}
    </span>
  );
};
