/**
 * The KLER environments plugin: service health, scaling, backups and
 * Well-Architected findings per entity and per environment, and the on-call page.
 *
 * @packageDocumentation
 */
export { environmentsPlugin as default } from './plugin';
export * from './api';
