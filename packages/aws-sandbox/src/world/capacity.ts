import { hexId } from './random';
import type { EnvironmentWorld } from './simulation';
import { CREATED_AT, DAY } from './time';

/** Instances an environment's capacity provider runs to fit its tasks' CPU. */
export function autoScalingGroupState(
  world: EnvironmentWorld,
  providerName: string,
  now: number,
) {
  const providers = world.spec.capacityProviders;
  const provider = providers.find(p => p.name === providerName);
  if (!provider) return undefined;
  const asg = provider.autoScalingGroup;
  const reservedCpu = world.spec.services.reduce(
    (sum, service) => sum + world.desired(service, now) * service.cpu,
    0,
  );
  const share = reservedCpu / providers.length;
  const needed = Math.ceil((share * 1.15) / asg.instanceCpu);
  const desired = Math.max(asg.min, Math.min(asg.max, needed));
  const instances = Array.from({ length: desired }, (_, slot) => ({
    instanceId: `i-${hexId(
      17,
      world.seed,
      world.spec.account,
      asg.name,
      slot,
    )}`,
    availabilityZone: world.availabilityZone(slot),
    // instances older than the slot's baseline count were launched by scale-out
    launchedAt:
      slot < asg.min ? CREATED_AT : now - (slot - asg.min + 1) * 0.01 * DAY,
  }));
  return { provider, asg, desired, reservedCpu: share, instances };
}
