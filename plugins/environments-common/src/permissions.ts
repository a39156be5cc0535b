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
 * Record a run (plan, apply, drift check) in an environment's history. Only
 * services may record (the scaffolder's actions, a pipeline with an external
 * access token): this permission lets an external token be restricted to it.
 *
 * @public
 */
export const environmentsRunCreatePermission = createPermission({
  name: 'environments.run.create',
  attributes: { action: 'create' },
});

/**
 * Plan and apply Terraform from the portal (the scaffolder's
 * `kler:terraform:*` actions). Checked by `kler:environment:resolveTarget`
 * against the user who started the task: with it the portal applies, without
 * it the change goes to the environments repository's pipeline by pull
 * request. Production needs {@link environmentsProvisionProductionPermission}
 * as well.
 *
 * @public
 */
export const environmentsProvisionPermission = createPermission({
  name: 'environments.provision',
  attributes: { action: 'create' },
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
  environmentsRunCreatePermission,
  environmentsProvisionPermission,
  environmentsProvisionProductionPermission,
];
