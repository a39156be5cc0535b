import type { ServiceSpec } from '../scenario/schema';
import { TargetCounts, targetHealthCounts } from './health';
import type { EnvironmentWorld, SandboxWorld } from './simulation';

export const ELB_NAMESPACE = 'AWS/ApplicationELB';

/** The per-target-group metrics the sandbox publishes, with what they count. */
export const TARGET_COUNT_METRICS: Partial<
  Record<string, (counts: TargetCounts) => number>
> = {
  HealthyHostCount: counts => counts.healthy,
  UnHealthyHostCount: counts => counts.unhealthy,
};

/** `arn:...:loadbalancer/app/name/id` -> `app/name/id`, the metric dimension. */
function loadBalancerDimension(arn: string): string {
  return arn.slice(arn.indexOf(':loadbalancer/') + ':loadbalancer/'.length);
}

/**
 * The service whose target group the TargetGroup + LoadBalancer dimension
 * pair names, in this account and region; undefined when ELB would publish no
 * such metric.
 */
export function serviceOfTargetGroupDimensions(
  world: SandboxWorld,
  account: string,
  region: string,
  dimensions: Array<{ Name?: string; Value?: string }>,
): { environment: EnvironmentWorld; service: ServiceSpec } | undefined {
  if (dimensions.length !== 2) return undefined;
  const value = (name: string) =>
    dimensions.find(d => d.Name === name)?.Value ?? '';
  const targetGroup = value('TargetGroup');
  const loadBalancer = value('LoadBalancer');
  for (const environment of world.in(account, region)) {
    if (
      loadBalancerDimension(environment.names.loadBalancerArn()) !==
      loadBalancer
    ) {
      continue;
    }
    const arn = `arn:aws:elasticloadbalancing:${region}:${account}:${targetGroup}`;
    const entry = environment.targetGroups().get(arn);
    if (entry) return { environment, service: entry.service };
  }
  return undefined;
}

/**
 * Healthy and unhealthy targets of a service's target group in one minute,
 * as ELB samples them: the counts DescribeTargetHealth gives at the minute's
 * start. A past minute never changes, so each is computed once.
 */
export function targetCountsAtMinute(
  environment: EnvironmentWorld,
  service: ServiceSpec,
  minuteStart: number,
): TargetCounts {
  return environment.targetCounts.get(
    `${service.name}\u0000${minuteStart}`,
    () => targetHealthCounts(environment, service, minuteStart),
  );
}
