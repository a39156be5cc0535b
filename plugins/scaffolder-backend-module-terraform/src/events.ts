/**
 * The topic of the event `kler:git:publishLocal` publishes through
 * Backstage's events service (`@backstage/plugin-events-node`) once a commit
 * is in the local environments repository, so that whatever mirrors the
 * repository (the catalog's provider of its environments) reads it at once.
 *
 * @public
 */
export const ENVIRONMENTS_PUBLISHED_TOPIC = 'kler.environments.published';

/**
 * The payload of {@link ENVIRONMENTS_PUBLISHED_TOPIC}.
 *
 * @public
 */
export interface EnvironmentsPublishedEvent {
  /** The repository on disk (`kler.environments.localRepository`) as configured. */
  repositoryPath: string;
  /** The branch committed to. */
  branch: string;
  /** The directory committed, e.g. `environments/staging`. */
  targetDirectory: string;
  commitHash: string;
  mode: 'create' | 'propose';
}
