import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Read the environments plugin's data: environment snapshots, problems and the
 * per-entity view. Checked on every route of the environments backend.
 *
 * @public
 */
export const environmentsReadPermission = createPermission({
  name: 'environments.read',
  attributes: { action: 'read' },
});

/**
 * Apply Terraform to an environment whose tier is production. Checked by the
 * scaffolder's `kler:terraform:apply` action against the user who started the task.
 *
 * @public
 */
export const environmentsProvisionProductionPermission = createPermission({
  name: 'environments.provision.production',
  attributes: { action: 'create' },
});

/**
 * Every permission of the environments plugin.
 *
 * @public
 */
export const environmentsPermissions = [
  environmentsReadPermission,
  environmentsProvisionProductionPermission,
];
