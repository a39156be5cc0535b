/**
 * The KLER environments plugin: service health, scaling, backups and
 * Well-Architected findings per entity and per environment, and the on-call page.
 *
 * The default export is the plugin for the new frontend system; the named
 * legacy exports serve apps on the old one.
 *
 * @packageDocumentation
 */
export { environmentsPlugin as default } from './plugin';
export * from './api';
export { isEnvironmentsAvailable } from './filters';
export {
  environmentsLegacyPlugin,
  EnvironmentsPage,
  EntityEnvironmentsContent,
  EntityEnvironmentsOverviewCard,
  EntityEnvironmentContent,
} from './legacy';
export { isEnvironmentEntity } from '@kler/plugin-environments-common';
