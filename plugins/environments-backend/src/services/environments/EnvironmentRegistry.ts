import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ENVIRONMENT_RESOURCE_TYPE,
  readEnvironmentFromEntity,
} from '@kler/plugin-environments-common';
import { ReusedValue } from '../../caches/ReusedValue';
import { EnvironmentOverride } from '../../config';
import { AwsEnvironment } from '../aws/types';
import { definitionKeyOf } from '../snapshots/SnapshotStore';

/**
 * One known environment. `environment` is absent when its definition is broken
 * (a bad annotation, an incomplete config entry, a name claimed by several
 * catalog entities); `definitionError` then says why. `entityRef` is the catalog
 * entity that defines it, absent for a config-only environment and for a
 * name claimed by several entities.
 */
export interface EnvironmentEntry {
  name: string;
  title?: string;
  entityRef?: string;
  environment?: AwsEnvironment;
  /** The environment's definition as a string (see definitionKeyOf). */
  definitionKey?: string;
  definitionError?: { name: string; message: string };
  /** Everything the entry says, as a string: equal versions are equal entries. */
  version: string;
}

export interface EnvironmentRegistryOptions {
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
  overrides: EnvironmentOverride[];
  /** The endpoint of every environment without one of its own. */
  defaultEndpoint?: string;
  /**
   * How long a listing is reused before the catalog is asked again (the
   * `catalogListing` cache; 0 lists on every call).
   */
  maxAgeMs: number;
  now?: () => number;
}

export const DEFINITION_ERROR_NAME = 'InvalidEnvironmentDefinition';
export const DUPLICATE_ENVIRONMENT_ERROR_NAME = 'DuplicateEnvironment';

/**
 * The environments of the portal: every catalog Resource of `spec.type:
 * environment`, with `environments.environments[]` config adding environments or
 * overriding fields. The catalog is listed again whenever the listing is older
 * than `maxAgeMs`, so that a newly registered environment appears without a restart.
 */
export class EnvironmentRegistry {
  private readonly options: EnvironmentRegistryOptions;
  /**
   * The catalog's environments, listed at most once per `maxAgeMs` (switch
   * `catalogListing`). Key: none, one listing. Lifetime: `maxAgeMs`, and a
   * request for a name it does not hold lists again at once. Why it is
   * correct: a new environment shows within the age, as it would after the
   * next scheduled refresh (which always lists afresh).
   */
  private readonly listing: ReusedValue<EnvironmentEntry[]>;

  constructor(options: EnvironmentRegistryOptions) {
    this.options = options;
    this.listing = new ReusedValue({
      maxAgeMs: options.maxAgeMs,
      now: options.now,
    });
  }

  /** The environments, from the last listing unless it is older than maxAge or `fresh` is set. */
  async list(options?: { fresh?: boolean }): Promise<EnvironmentEntry[]> {
    try {
      return await this.listing.get(() => this.listFromCatalog(), options);
    } catch (error) {
      const previous = this.listing.last();
      if (previous) {
        this.options.logger.warn(
          `Could not list environments from the catalog, keeping the previous list: ${error}`,
        );
        return previous;
      }
      throw error;
    }
  }

  async get(name: string): Promise<EnvironmentEntry | undefined> {
    const entry = (await this.list()).find(e => e.name === name);
    if (entry) {
      return entry;
    }
    // A name we do not know yet may have been registered since the last listing.
    return (await this.list({ fresh: true })).find(e => e.name === name);
  }

  private async listFromCatalog(): Promise<EnvironmentEntry[]> {
    const response = await this.options.catalog.getEntities(
      {
        filter: { kind: 'Resource', 'spec.type': ENVIRONMENT_RESOURCE_TYPE },
      },
      { credentials: await this.options.auth.getOwnServiceCredentials() },
    );
    return mergeEnvironments(
      response.items,
      this.options.overrides,
      this.options.defaultEndpoint,
    );
  }
}

/**
 * Combines the catalog's environments with the config's additions and overrides, sorted by name.
 *
 * The API and the dashboard address an environment by its name, the
 * `metadata.name` of its catalog entity, while the catalog tells entities apart
 * by entity ref (kind, namespace and name). When several entities claim one name
 * (compared without regard to case, as the catalog compares names), none of them
 * is the environment: the name gets an entry with a `DuplicateEnvironment`
 * error naming every claimant and no AWS location, so that nothing is read with
 * an account that may be the wrong one.
 *
 * An environment with no endpoint of its own gets `defaultEndpoint`, when
 * there is one (every environment is then read from the local sandbox, say).
 */
export function mergeEnvironments(
  entities: Entity[],
  overrides: EnvironmentOverride[],
  defaultEndpoint?: string,
): EnvironmentEntry[] {
  const overridesByName = new Map(overrides.map(o => [o.name, o]));
  const entries = new Map<string, Omit<EnvironmentEntry, 'version'>>();

  const claimantsByName = new Map<string, Entity[]>();
  for (const entity of entities) {
    const key = entity.metadata.name.toLocaleLowerCase('en-US');
    const claimants = claimantsByName.get(key);
    if (claimants) {
      claimants.push(entity);
    } else {
      claimantsByName.set(key, [entity]);
    }
  }

  for (const claimants of claimantsByName.values()) {
    if (claimants.length > 1) {
      const names = new Set(claimants.map(entity => entity.metadata.name));
      const refs = claimants.map(entity => stringifyEntityRef(entity)).sort();
      for (const name of names) {
        // The config refines a catalog environment; it cannot pick a claimant.
        overridesByName.delete(name);
        entries.set(name, {
          name,
          definitionError: {
            name: DUPLICATE_ENVIRONMENT_ERROR_NAME,
            message: `Environment ${name} is claimed by ${
              refs.length
            } catalog entities: ${refs.join(
              ', ',
            )}. An environment's name must be unique across namespaces: rename or remove all but one. It is not read from AWS until then.`,
          },
        });
      }
      continue;
    }
    const [entity] = claimants;
    const name = entity.metadata.name;
    const entityRef = stringifyEntityRef(entity);
    const override = overridesByName.get(name);
    overridesByName.delete(name);
    try {
      const definition = readEnvironmentFromEntity(entity);
      entries.set(name, {
        name,
        title: definition.title,
        entityRef,
        environment: applyOverride(definition, override),
      });
    } catch (error) {
      entries.set(name, {
        name,
        title: entity.metadata.title,
        entityRef,
        definitionError: {
          name: DEFINITION_ERROR_NAME,
          message: (error as Error).message,
        },
      });
    }
  }

  for (const override of overridesByName.values()) {
    const missing = (['accountId', 'region', 'cluster'] as const).filter(
      field => !override[field],
    );
    if (missing.length > 0) {
      entries.set(override.name, {
        name: override.name,
        title: override.title,
        definitionError: {
          name: DEFINITION_ERROR_NAME,
          message: `Environment ${
            override.name
          } is not in the catalog (yet) and ${
            override.configKey
          } lacks ${missing.join(', ')}`,
        },
      });
      continue;
    }
    entries.set(override.name, {
      name: override.name,
      title: override.title,
      environment: applyOverride(
        {
          name: override.name,
          tier: override.tier ?? 'development',
          accountId: override.accountId!,
          region: override.region!,
          cluster: override.cluster!,
        },
        override,
      ),
    });
  }

  if (defaultEndpoint) {
    for (const entry of entries.values()) {
      if (entry.environment && !entry.environment.endpoint) {
        entry.environment = { ...entry.environment, endpoint: defaultEndpoint };
      }
    }
  }

  return [...entries.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(entry => {
      const definitionKey = entry.environment
        ? definitionKeyOf(entry.environment)
        : undefined;
      return {
        ...entry,
        ...(definitionKey ? { definitionKey } : {}),
        version: JSON.stringify([
          entry.name,
          entry.title,
          entry.entityRef,
          definitionKey,
          entry.definitionError,
        ]),
      };
    });
}

function applyOverride(
  definition: AwsEnvironment,
  override: EnvironmentOverride | undefined,
): AwsEnvironment {
  if (!override) {
    return definition;
  }
  const { configKey: _configKey, name: _name, ...fields } = override;
  const defined = Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  );
  return { ...definition, ...defined };
}
