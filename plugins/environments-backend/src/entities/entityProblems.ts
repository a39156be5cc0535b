import { Problem } from '@kler/plugin-environments-common';
import { EnvironmentView } from '../services/EnvironmentsService';
import { ServiceTarget } from './serviceTargets';

/**
 * The problems about an entity's services: a problem counts when it names a
 * service of the entity in an environment that service applies to, as the
 * entity's page shows them (`entityEnvironmentsOf`). Order is kept.
 */
export function problemsOfEntityServices(
  problems: Problem[],
  targets: Map<string, ServiceTarget>,
  views: EnvironmentView[],
): Problem[] {
  const environments = new Map(
    views.map(view => [view.entry.name, view.entry.environment]),
  );
  return problems.filter(problem => {
    const target = problem.serviceName
      ? targets.get(problem.serviceName)
      : undefined;
    return (
      target !== undefined &&
      target.appliesTo(environments.get(problem.environment))
    );
  });
}
