import { EcsService } from '@kler/plugin-environments-common';

/**
 * Healthy and total targets: from the per-target-group counts when the snapshot
 * has them (healthy groups are counted from CloudWatch, about a minute behind),
 * else from the described targets.
 */
export function countTargets(service: EcsService) {
  if (service.targetGroups && service.targetGroups.length > 0) {
    const fromMetrics = service.targetGroups.filter(
      group => group.source === 'CloudWatch',
    );
    return {
      healthy: service.targetGroups.reduce((sum, g) => sum + g.healthy, 0),
      total: service.targetGroups.reduce(
        (sum, g) => sum + g.healthy + g.unhealthy,
        0,
      ),
      metricsAt: fromMetrics
        .map(group => group.at)
        .filter((at): at is string => Boolean(at))
        .sort()[0],
    };
  }
  return {
    healthy: service.targetHealth.filter(t => t.state === 'healthy').length,
    total: service.targetHealth.length,
    metricsAt: undefined,
  };
}
