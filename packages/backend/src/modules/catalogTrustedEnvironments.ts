import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  stringifyEntityRef,
  stringifyLocationRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { LocationSpec } from '@backstage/plugin-catalog-common';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  catalogProcessingExtensionPoint,
} from '@backstage/plugin-catalog-node';
import {
  TRUSTED_ENVIRONMENT_LOCATIONS_CONFIG_KEY,
  isEnvironmentEntity,
  isTrustedLocation,
  readTrustedEnvironmentLocations,
} from '@kler/plugin-environments-common';

/**
 * Refuses environment Resources whose origin location is not trusted, before
 * the catalog stores them: an entity that fails processing the first time is
 * never stitched, so it is not served by the catalog API (an entity that was
 * accepted before keeps its last accepted version, with the error as status).
 * The origin location is the registered location (config or API) that led to
 * the entity, so a file included by a trusted Location entity is trusted.
 */
export class TrustedEnvironmentLocationsProcessor implements CatalogProcessor {
  constructor(private readonly trustedLocations: string[]) {}

  getProcessorName(): string {
    return 'KlerTrustedEnvironmentLocationsProcessor';
  }

  async preProcessEntity(
    entity: Entity,
    _location: LocationSpec,
    _emit: CatalogProcessorEmit,
    originLocation: LocationSpec,
  ): Promise<Entity> {
    if (!isEnvironmentEntity(entity)) {
      return entity;
    }
    const origin = stringifyLocationRef(originLocation);
    if (isTrustedLocation(origin, this.trustedLocations)) {
      return entity;
    }
    throw new InputError(
      `Environment ${stringifyEntityRef(
        entity,
      )} was refused: it comes from ${origin}, which is not among the trusted locations of environment Resources (${TRUSTED_ENVIRONMENT_LOCATIONS_CONFIG_KEY})`,
    );
  }
}

/** The catalog accepts environment Resources only from the locations of `kler.environments.trustedLocations`. */
export default createBackendModule({
  pluginId: 'catalog',
  moduleId: 'kler-trusted-environments',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        catalog: catalogProcessingExtensionPoint,
      },
      async init({ config, logger, catalog }) {
        const trusted = readTrustedEnvironmentLocations(config, process.cwd());
        logger.info(
          `Environment Resources are accepted from: ${
            trusted.join(', ') || 'no location'
          }`,
        );
        catalog.addProcessor(new TrustedEnvironmentLocationsProcessor(trusted));
      },
    });
  },
});
