import { createBackend } from '@backstage/backend-defaults';
import { ConfigSources } from '@backstage/config-loader';
import { checkStartupConfig } from './startupChecks';
import { startupLockConnection, startWithStartupLock } from './startupLock';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// Auth: guest sign-in for local use; production config adds a real provider.
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

// Catalog
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
backend.add(import('./modules/catalogTrustedEnvironments'));
// The local environments repository's environments, mirrored into the catalog.
backend.add(import('./modules/catalogEnvironmentsRepository'));

// Scaffolder, with the Terraform actions that provision KLER environments
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@kler/plugin-scaffolder-backend-module-terraform'));
// Publishing environments by pull or merge request (kler.environments.repository).
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-gitlab'));

// TechDocs
backend.add(import('@backstage/plugin-techdocs-backend'));

// Permissions, with KLER's policy
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./modules/permissionPolicy'));

// Search: PostgreSQL when the database is PostgreSQL, in memory otherwise
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
backend.add(import('@backstage/plugin-search-backend-module-techdocs'));

backend.add(import('@backstage/plugin-events-backend'));
backend.add(import('@backstage/plugin-user-settings-backend'));
// Signals push updates to the browser (used by user settings).
backend.add(import('@backstage/plugin-signals-backend'));

// KLER environments: ECS health, scaling, backups and Well-Architected findings
backend.add(import('@kler/plugin-environments-backend'));

// The actions of backend.actions.pluginSources (environments, the scaffolder's
// read-only ones) as MCP tools at /api/mcp-actions/v1, for AI assistants.
backend.add(import('@backstage/plugin-mcp-actions-backend'));

// Fail at once, naming the key, rather than deep inside a plugin's start.
// Replicas on one PostgreSQL start one at a time (see startupLock.ts).
ConfigSources.toConfig(ConfigSources.default({ argv: process.argv }))
  .then(config => {
    checkStartupConfig(config);
    const lockConnection = startupLockConnection(config);
    config.close?.();
    return startWithStartupLock(lockConnection, () => backend.start());
  })
  .catch(error => {
    process.stderr.write(`Backend failed to start: ${error.message}\n`);
    process.exit(1);
  });
