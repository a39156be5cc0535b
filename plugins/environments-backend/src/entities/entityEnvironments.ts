import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EntityEnvironmentsResponse } from '@kler/plugin-environments-common';
import { EnvironmentView } from '../services/EnvironmentsService';
import { ServiceTarget, collectServiceTargets } from './serviceTargets';

/**
 * The entity (a component or a system) and the ECS services it maps to, looked
 * up in the catalog with the caller's credentials: 404 when the caller cannot
 * see it.
 */
export async function lookUpEntityServices(
  catalog: CatalogService,
  ref: CompoundEntityRef,
  credentials: BackstageCredentials,
): Promise<{ entity: Entity; targets: Map<string, ServiceTarget> }> {
  const entity = await catalog.getEntityByRef(ref, { credentials });
  if (!entity) {
    throw new NotFoundError(
      `No entity ${ref.kind}:${ref.namespace}/${ref.name}`,
    );
  }
  const components =
    ref.kind === 'system'
      ? await loadSystemComponents(catalog, entity, credentials)
      : [entity];
  return { entity, targets: collectServiceTargets(components) };
}

/** The body of GET /v1/entity/...: the entity's services in each environment that runs one. */
export function entityEnvironmentsOf(
  entity: Entity,
  targets: Map<string, ServiceTarget>,
  views: EnvironmentView[],
): EntityEnvironmentsResponse {
  return {
    entityRef: stringifyEntityRef(entity),
    serviceNames: [...targets.keys()].sort(),
    environments: views.flatMap(view => {
      const names = [...targets.entries()]
        .filter(([, target]) => target.appliesTo(view.entry.environment))
        .map(([serviceName]) => serviceName);
      if (names.length === 0) {
        return [];
      }
      return [{ summary: view.summary, services: servicesOf(view, names) }];
    }),
  };
}

/** The components of a system: its hasPart relations and the components that name it in spec.system. */
async function loadSystemComponents(
  catalog: CatalogService,
  system: Entity,
  credentials: BackstageCredentials,
): Promise<Entity[]> {
  const namespace = system.metadata.namespace ?? 'default';
  const name = system.metadata.name;
  const partRefs = (system.relations ?? [])
    .filter(
      relation =>
        relation.type === 'hasPart' &&
        relation.targetRef.startsWith('component:'),
    )
    .map(relation => relation.targetRef);
  const systemValues = [`${namespace}/${name}`, `system:${namespace}/${name}`];
  if (namespace === 'default') {
    systemValues.push(name);
  }
  const [byRelation, bySpec] = await Promise.all([
    partRefs.length > 0
      ? catalog.getEntitiesByRefs({ entityRefs: partRefs }, { credentials })
      : Promise.resolve({ items: [] }),
    catalog.getEntities(
      { filter: { kind: 'Component', 'spec.system': systemValues } },
      { credentials },
    ),
  ]);
  const components = new Map<string, Entity>();
  for (const component of [...byRelation.items, ...bySpec.items]) {
    if (component) {
      components.set(stringifyEntityRef(component), component);
    }
  }
  return [...components.values()];
}

function servicesOf(view: EnvironmentView, serviceNames: string[]) {
  const snapshot = view.state?.snapshot;
  const evaluation = view.evaluation;
  if (!snapshot || !evaluation) {
    return [];
  }
  return serviceNames.flatMap(serviceName => {
    const service = snapshot.services.find(s => s.serviceName === serviceName);
    const serviceEvaluation = evaluation.services.find(
      s => s.serviceName === serviceName,
    );
    return service && serviceEvaluation
      ? [{ service, evaluation: serviceEvaluation }]
      : [];
  });
}
