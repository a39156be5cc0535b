// The environments backend of the benchmark without the environments plugin:
// auth, catalog and permission only. Its memory, measured beside the whole
// one's, is the floor the plugin's own share is counted from (bench/run.mjs).
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('../../packages/backend/src/modules/permissionPolicy'));

backend.start();
