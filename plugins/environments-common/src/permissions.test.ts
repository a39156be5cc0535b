import { isResourcePermission } from '@backstage/plugin-permission-common';
import {
  environmentsPermissions,
  environmentsProvisionPermission,
  environmentsProvisionProductionPermission,
  environmentsReadPermission,
  environmentsRunCreatePermission,
} from './permissions';

describe('environments permissions', () => {
  it('names each permission as the policy and the README do', () => {
    expect(
      environmentsPermissions.map(permission => [
        permission.name,
        permission.attributes.action,
      ]),
    ).toEqual([
      ['environments.read', 'read'],
      ['environments.run.create', 'create'],
      ['environments.provision', 'create'],
      ['environments.provision.production', 'create'],
    ]);
  });

  it('keeps every permission basic: none is checked against a resource', () => {
    for (const permission of [
      environmentsReadPermission,
      environmentsRunCreatePermission,
      environmentsProvisionPermission,
      environmentsProvisionProductionPermission,
    ]) {
      expect(permission.type).toBe('basic');
      expect(isResourcePermission(permission)).toBe(false);
    }
  });
});
