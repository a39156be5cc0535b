import {
  TerraformConfiguration,
  TerraformResource,
  addressOf,
} from './configuration';
import { ConfigurationEvaluator } from './evaluation';
import { UnknownValue, isObject } from './values';
import {
  ReviewFinding,
  ReviewRule,
  about,
  attributeOf,
  createdResources,
  describeValue,
  isTrue,
  listOf,
  productionEvaluator,
  productionWording,
} from './reviewRule';

/** Zones a production environment should span; two survive one zone's loss only at half capacity. */
const EXPECTED_ZONES = 3;

/**
 * How many instances a resource has: its `count`, the size of its
 * `for_each`, or 1. Undefined when the review cannot work it out.
 * Instances of the module around it are not counted.
 */
function instanceCount(
  evaluator: ConfigurationEvaluator,
  resource: TerraformResource,
): number | undefined {
  if ('count' in resource.attributes) {
    const count = attributeOf(evaluator, resource, 'count');
    return typeof count === 'number' ? count : undefined;
  }
  if ('for_each' in resource.attributes) {
    const forEach = attributeOf(evaluator, resource, 'for_each');
    if (Array.isArray(forEach)) return forEach.length;
    return isObject(forEach) ? Object.keys(forEach).length : undefined;
  }
  return 1;
}

/** Resources grouped by their module's folder, each group in file and line order. */
function byModule(resources: TerraformResource[]) {
  const groups = new Map<string, TerraformResource[]>();
  const ordered = [...resources].sort(
    (a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0),
  );
  for (const resource of ordered) {
    groups.set(resource.module, [
      ...(groups.get(resource.module) ?? []),
      resource,
    ]);
  }
  return groups;
}

/**
 * The zones a module's subnets span: the most instances of a subnet
 * resource with `count` or `for_each` (one per zone, as modules write them),
 * or the distinct `availability_zone` of the single ones. Undefined when a
 * count or a zone cannot be worked out.
 */
function zonesOf(
  evaluator: ConfigurationEvaluator,
  subnets: TerraformResource[],
): number | undefined {
  let zones = 0;
  const singleZones = new Set<string>();
  for (const subnet of subnets) {
    const repeated =
      'count' in subnet.attributes || 'for_each' in subnet.attributes;
    if (repeated) {
      const count = instanceCount(evaluator, subnet);
      if (count === undefined) return undefined;
      zones = Math.max(zones, count);
      continue;
    }
    const zone =
      attributeOf(evaluator, subnet, 'availability_zone') ??
      attributeOf(evaluator, subnet, 'availability_zone_id');
    if (zone === undefined || zone === null) return undefined;
    // Two expressions that differ (local.zones[0], local.zones[1]) are two zones.
    singleZones.add(
      zone instanceof UnknownValue
        ? `expression ${zone.expression}`
        : `${zone}`,
    );
  }
  return Math.max(zones, singleZones.size);
}

function subnetsByModule(evaluator: ConfigurationEvaluator) {
  return byModule(createdResources(evaluator, 'aws_subnet'));
}

/**
 * `production-zones`: in production (the values file's tier, or unknown),
 * the subnets of a module span fewer than 3 availability zones: an error
 * below 2, a warning at 2. The counts are evaluated with `var.tier` set to
 * production, so `local.production ? 3 : 2` counts as 3.
 *
 * Sees `count` and `for_each` it can work out from literals, variables
 * (values file, module arguments, defaults) and locals, and the literal
 * zones of subnets without them; reports nothing for a module whose count
 * it cannot work out. It does not know which zones a data source returns,
 * nor whether a region has that many.
 */
export const productionZones: ReviewRule = {
  id: 'production-zones',
  checks: `In production, subnets span at least 2 availability zones (${EXPECTED_ZONES} expected)`,
  review(configuration) {
    const evaluator = productionEvaluator(configuration);
    if (!evaluator) return [];
    const where = productionWording(configuration);
    const findings: ReviewFinding[] = [];
    for (const subnets of subnetsByModule(evaluator).values()) {
      const zones = zonesOf(evaluator, subnets);
      if (zones === undefined || zones >= EXPECTED_ZONES) continue;
      findings.push({
        severity: zones < 2 ? 'error' : 'warning',
        ...about(subnets[0]),
        message: `${listOf(subnets.map(addressOf))} ${
          subnets.length === 1 ? 'spans' : 'span'
        } ${zones} availability zone${zones === 1 ? '' : 's'} ${where}: ${
          zones < 2
            ? 'one zone failing takes the environment down'
            : 'one zone failing halves the capacity until the rest scale out'
        }`,
        fix: `Spread the subnets over ${EXPECTED_ZONES} availability zones in production (e.g. availability_zone_count = var.tier == "production" ? ${EXPECTED_ZONES} : 2)`,
      });
    }
    return findings;
  },
};

/**
 * `production-nat-per-zone`: in production, a module whose NAT gateways
 * are fewer than the zones its subnets span: a zone losing the shared NAT
 * gateway cuts every private subnet off the internet (image pulls, AWS
 * APIs). Counts are evaluated as for `production-zones`; reports nothing
 * when either cannot be worked out, or the module has no subnets.
 */
export const productionNatPerZone: ReviewRule = {
  id: 'production-nat-per-zone',
  checks: 'In production, one NAT gateway per availability zone',
  review(configuration) {
    const evaluator = productionEvaluator(configuration);
    if (!evaluator) return [];
    const where = productionWording(configuration);
    const subnets = subnetsByModule(evaluator);
    const findings: ReviewFinding[] = [];
    for (const [module, gateways] of byModule(
      createdResources(evaluator, 'aws_nat_gateway'),
    )) {
      const moduleSubnets = subnets.get(module);
      const zones = moduleSubnets && zonesOf(evaluator, moduleSubnets);
      const counts = gateways.map(gateway => instanceCount(evaluator, gateway));
      if (zones === undefined || counts.some(count => count === undefined)) {
        continue;
      }
      const total = counts.reduce((sum: number, count) => sum + count!, 0);
      if (total >= zones) continue;
      findings.push({
        severity: 'error',
        ...about(gateways[0]),
        message: `${listOf(gateways.map(addressOf))} ${
          gateways.length === 1 ? 'gives' : 'give'
        } ${total} NAT gateway${
          total === 1 ? '' : 's'
        } for ${zones} zones ${where}: the zone of a shared NAT gateway failing cuts the others' private subnets off`,
        fix: "Create one NAT gateway per zone in production (count = the zone count) and route each private subnet through its own zone's gateway",
      });
    }
    return findings;
  },
};

/**
 * `production-rds-single-az`: in production, an RDS instance whose
 * `multi_az` is not true (evaluated with `var.tier` set to production). An
 * expression the review cannot work out is a warning. Aurora cluster
 * members (`cluster_identifier`) are skipped: the cluster's instances spread
 * over zones.
 */
export const productionRdsSingleAz: ReviewRule = {
  id: 'production-rds-single-az',
  checks: 'In production, RDS instances are Multi-AZ (multi_az = true)',
  review(configuration: TerraformConfiguration) {
    const evaluator = productionEvaluator(configuration);
    if (!evaluator) return [];
    const where = productionWording(configuration);
    return createdResources(evaluator, 'aws_db_instance')
      .filter(database => !('cluster_identifier' in database.attributes))
      .flatMap(database => {
        const multiAz = attributeOf(evaluator, database, 'multi_az');
        if (isTrue(multiAz)) return [];
        const unknown = multiAz instanceof UnknownValue;
        return [
          {
            severity: unknown ? ('warning' as const) : ('error' as const),
            ...about(database),
            message: `${addressOf(database)} has multi_az ${describeValue(
              multiAz,
            )}${
              unknown ? ', which the review cannot see is true' : ''
            } ${where}: the database is down while its zone is`,
            fix: 'Set multi_az = var.tier == "production" (or a local derived from it)',
          },
        ];
      });
  },
};

export const availabilityRules: ReviewRule[] = [
  productionZones,
  productionNatPerZone,
  productionRdsSingleAz,
];
