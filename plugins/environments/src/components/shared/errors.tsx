import { EmptyState, ResponseErrorPanel } from '@backstage/core-components';

/** True for the backend's answer when `environments.read` is denied. */
export function isPermissionDenied(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { statusCode?: unknown }).statusCode === 403
  );
}

export const PermissionDeniedState = () => (
  <EmptyState
    missing="info"
    title="You don't have permission to view environments"
    description="Viewing environments needs the environments.read permission. Ask the platform team for access."
  />
);

/** Permission denied gets its own state; any other error the standard panel. */
export const EnvironmentsErrorPanel = (props: { error: Error }) =>
  isPermissionDenied(props.error) ? (
    <PermissionDeniedState />
  ) : (
    <ResponseErrorPanel error={props.error} />
  );
