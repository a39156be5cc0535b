import { reviewWith } from './__testUtils__/configurations';
import {
  productionNatPerZone,
  productionRdsSingleAz,
  productionZones,
} from './availabilityRules';

/**
 * The template's network: zones and NAT gateways from locals of the tier,
 * passed to a module.
 */
const network = (zones: string, natPerZone: string) => ({
  'main.tf': `
variable "tier" {
  type = string
}
locals {
  production              = var.tier == "production"
  availability_zone_count = ${zones}
  nat_gateway_per_zone    = ${natPerZone}
}
module "network" {
  source                  = "./modules/network"
  availability_zone_count = local.availability_zone_count
  nat_gateway_per_zone    = local.nat_gateway_per_zone
}
`,
  'modules/network/main.tf': `
variable "availability_zone_count" {
  type = number
}
variable "nat_gateway_per_zone" {
  type = bool
}
locals {
  nat_gateway_count = var.nat_gateway_per_zone ? var.availability_zone_count : 1
}
resource "aws_subnet" "public" {
  count             = var.availability_zone_count
  vpc_id            = "vpc-1"
  availability_zone = data.aws_availability_zones.available.names[count.index]
}
resource "aws_subnet" "private" {
  count             = var.availability_zone_count
  vpc_id            = "vpc-1"
  availability_zone = data.aws_availability_zones.available.names[count.index]
}
resource "aws_nat_gateway" "this" {
  count     = local.nat_gateway_count
  subnet_id = aws_subnet.public[count.index].id
}
`,
});

describe('production-zones', () => {
  it('passes three zones in production, worked out through locals and module arguments', async () => {
    expect(
      await reviewWith(
        productionZones,
        network('local.production ? 3 : 2', 'local.production'),
        { tier: 'production' },
      ),
    ).toEqual([]);
  });

  it('warns at two zones and reports one as an error', async () => {
    expect(
      await reviewWith(productionZones, network('2', 'true'), {
        tier: 'production',
      }),
    ).toEqual([
      expect.objectContaining({
        rule: 'production-zones',
        severity: 'warning',
        file: 'modules/network/main.tf',
        line: 11,
        message: expect.stringContaining(
          'aws_subnet.public and aws_subnet.private span 2 availability zones in this production environment',
        ),
      }),
    ]);
    expect(
      await reviewWith(productionZones, network('1', 'true'), {
        tier: 'production',
      }),
    ).toEqual([expect.objectContaining({ severity: 'error' })]);
  });

  it('reviews the production branch when the tier is not known, and nothing in development', async () => {
    expect(
      await reviewWith(
        productionZones,
        network('local.production ? 2 : 3', 'true'),
      ),
    ).toHaveLength(1);
    expect(
      await reviewWith(productionZones, network('1', 'true'), {
        tier: 'development',
      }),
    ).toEqual([]);
  });

  it('counts the distinct zones of subnets without count', async () => {
    const subnets = (zones: string[]) => ({
      'main.tf': zones
        .map(
          (zone, index) =>
            `resource "aws_subnet" "s${index}" {\n  availability_zone = "${zone}"\n}\n`,
        )
        .join(''),
    });
    expect(
      await reviewWith(productionZones, subnets(['eu-west-1a', 'eu-west-1a'])),
    ).toEqual([expect.objectContaining({ severity: 'error' })]);
    expect(
      await reviewWith(
        productionZones,
        subnets(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']),
      ),
    ).toEqual([]);
  });

  it('says nothing when it cannot work out the count', async () => {
    expect(
      await reviewWith(productionZones, network('var.zones', 'true')),
    ).toEqual([]);
  });
});

describe('production-nat-per-zone', () => {
  it('passes a NAT gateway per zone in production', async () => {
    expect(
      await reviewWith(
        productionNatPerZone,
        network('local.production ? 3 : 2', 'local.production'),
        { tier: 'production' },
      ),
    ).toEqual([]);
  });

  it('reports a shared NAT gateway in production', async () => {
    expect(
      await reviewWith(productionNatPerZone, network('3', 'false'), {
        tier: 'production',
      }),
    ).toEqual([
      expect.objectContaining({
        severity: 'error',
        resource: 'aws_nat_gateway.this',
        message: expect.stringContaining(
          'gives 1 NAT gateway for 3 zones in this production environment',
        ),
      }),
    ]);
    expect(
      await reviewWith(productionNatPerZone, network('3', 'false'), {
        tier: 'development',
      }),
    ).toEqual([]);
  });
});

describe('production-rds-single-az', () => {
  const database = (multiAz: string) => ({
    'main.tf': `
variable "tier" {
  type = string
}
resource "aws_db_instance" "shop" {
  engine = "postgres"
  ${multiAz}
}
`,
  });

  it('passes multi_az tied to production', async () => {
    expect(
      await reviewWith(
        productionRdsSingleAz,
        database('multi_az = var.tier == "production"'),
        { tier: 'production' },
      ),
    ).toEqual([]);
  });

  it('reports a single-AZ database in production, and warns about an unknown multi_az', async () => {
    expect(
      await reviewWith(productionRdsSingleAz, database(''), {
        tier: 'production',
      }),
    ).toEqual([
      expect.objectContaining({
        severity: 'error',
        resource: 'aws_db_instance.shop',
        fix: expect.stringContaining('multi_az = var.tier == "production"'),
      }),
    ]);
    expect(
      await reviewWith(productionRdsSingleAz, database('multi_az = var.ha'), {
        tier: 'production',
      }),
    ).toEqual([expect.objectContaining({ severity: 'warning' })]);
    expect(
      await reviewWith(productionRdsSingleAz, database(''), {
        tier: 'development',
      }),
    ).toEqual([]);
  });
});
