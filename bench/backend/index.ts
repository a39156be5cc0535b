// The environments backend as a platform team can deploy it on its own (a
// split Backstage backend): the environments plugin and what its requests need.
// The benchmark boots it with scripts/lib/backend.mjs (entry option) to measure
// the plugin's memory without the rest of the portal (scaffolder, TechDocs,
// search...). The catalog is here because the plugin lists environments from
// it; in a split deployment it would be another backend's, found by discovery.
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

// Signs the benchmark's guest users in and verifies their tokens.
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));

// environments.read is decided by KLER's policy, as in the portal.
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('../../packages/backend/src/modules/permissionPolicy'));

backend.add(import('@kler/plugin-environments-backend'));

backend.start();
