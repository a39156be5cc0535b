import { configurationOf } from './__testUtils__/configurations';
import { ConfigurationEvaluator } from './evaluation';
import { UnknownValue } from './values';

/** A root module calling modules/app, as KLER's environment does. */
const files = {
  'variables.tf': `
variable "name" {
  type = string
}
variable "tier" {
  type = string
}
variable "zones" {
  type    = number
  default = 2
}
variable "env" {
  type    = map(string)
  default = { LOG_LEVEL = "info", REGION = "eu-west-1" }
}
`,
  'locals.tf': `
locals {
  production = var.tier == "production"
  zone_count = local.production ? 3 : var.zones
  tags = {
    "kler:environment" = var.name
    "kler:tier"        = var.tier
  }
  loop = local.loop
}
`,
  'main.tf': `
module "app" {
  source = "./modules/app"
  count  = local.production ? 1 : 0

  name = "kler-\${var.name}"
  tags = local.tags
  env  = var.env
}

output "arn" {
  value = module.app[0].bucket_arn
}
`,
  'modules/app/main.tf': `
variable "name" {
  type = string
}
variable "tags" {
  type = map(string)
}
variable "env" {
  type = map(string)
}
variable "kms_key_arn" {
  type    = string
  default = null
}

resource "aws_s3_bucket" "this" {
  bucket = var.name
  tags   = merge(var.tags, { Name = var.name })
}

locals {
  variables = [for key, value in var.env : { name = key, value = value } if key != "REGION"]
}

output "bucket_arn" {
  value = aws_s3_bucket.this.arn
}
`,
};

describe('ConfigurationEvaluator', () => {
  it('evaluates literals, operators, conditionals and functions', async () => {
    const evaluator = new ConfigurationEvaluator(await configurationOf({}));
    const evaluate = (raw: unknown) => evaluator.evaluate('', raw);
    expect(evaluate('${1 + 2 * 3 > 6 && !false ? "yes" : "no"}')).toBe('yes');
    expect(evaluate('${length(merge({ a = 1 }, { b = 2 }))}')).toBe(2);
    expect(evaluate('${contains(["a", "b"], "b")}')).toBe(true);
    expect(evaluate('${keys({ b = 1, a = 2 })}')).toEqual(['a', 'b']);
    expect(evaluate('${coalesce(null, "", "x")}')).toBe('x');
    expect(evaluate({ port: 80, protocol: 'HTTP' })).toEqual({
      port: 80,
      protocol: 'HTTP',
    });
    expect(
      evaluate('${{ for name in ["a", "b"] : name => upper(name) }}'),
    ).toEqual({ a: 'A', b: 'B' });
  });

  it('gives what it cannot evaluate as unknown, with its text and module', async () => {
    const evaluator = new ConfigurationEvaluator(await configurationOf({}));
    expect(evaluator.evaluate('m', '${aws_lb.this.arn}')).toEqual(
      new UnknownValue('aws_lb.this.arn', 'm'),
    );
    expect(evaluator.evaluate('m', '${timestamp()}')).toEqual(
      new UnknownValue('timestamp()', 'm'),
    );
    expect(evaluator.evaluate('m', '${constructor("x")}')).toBeInstanceOf(
      UnknownValue,
    );
    expect(evaluator.evaluate('m', 'arn-${aws_lb.this.id}')).toEqual(
      new UnknownValue('arn-${aws_lb.this.id}', 'm'),
    );
  });

  it('takes root variables from the values file, then their defaults', async () => {
    const evaluator = new ConfigurationEvaluator(
      await configurationOf(files, { name: 'prod-eu', tier: 'production' }),
    );
    expect(evaluator.evaluate('', '${var.name}')).toBe('prod-eu');
    expect(evaluator.evaluate('', '${var.zones}')).toBe(2);
    expect(evaluator.evaluate('', '${local.zone_count}')).toBe(3);
  });

  it('leaves a root variable nothing gives a value to unknown', async () => {
    const evaluator = new ConfigurationEvaluator(await configurationOf(files));
    expect(evaluator.evaluate('', '${var.name}')).toEqual(
      new UnknownValue('var.name', ''),
    );
    expect(evaluator.evaluate('', '${local.zone_count}')).toBeInstanceOf(
      UnknownValue,
    );
  });

  it('evaluates var.tier as the tier it is told', async () => {
    const configuration = await configurationOf(files, {
      name: 'dev',
      tier: 'development',
    });
    expect(
      new ConfigurationEvaluator(configuration).evaluate(
        '',
        '${local.zone_count}',
      ),
    ).toBe(2);
    expect(
      new ConfigurationEvaluator(configuration, {
        tier: 'production',
      }).evaluate('', '${local.zone_count}'),
    ).toBe(3);
  });

  it("follows a module's variables to its call's arguments, or their defaults", async () => {
    const evaluator = new ConfigurationEvaluator(
      await configurationOf(files, { name: 'prod-eu', tier: 'production' }),
    );
    expect(evaluator.evaluate('modules/app', '${var.name}')).toBe(
      'kler-prod-eu',
    );
    expect(evaluator.evaluate('modules/app', '${var.kms_key_arn}')).toBeNull();
    const bucket = evaluator.configuration.resources.get('aws_s3_bucket')![0];
    expect(evaluator.evaluate(bucket.module, bucket.attributes.tags)).toEqual({
      'kler:environment': 'prod-eu',
      'kler:tier': 'production',
      Name: 'kler-prod-eu',
    });
  });

  it('evaluates for-expressions over known collections', async () => {
    const evaluator = new ConfigurationEvaluator(
      await configurationOf(files, { name: 'x', tier: 'production' }),
    );
    expect(evaluator.evaluate('modules/app', '${local.variables}')).toEqual([
      { name: 'LOG_LEVEL', value: 'info' },
    ]);
  });

  it('reads local modules’ outputs', async () => {
    const evaluator = new ConfigurationEvaluator(
      await configurationOf(files, { name: 'x', tier: 'production' }),
    );
    expect(evaluator.evaluate('', '${module.app[0].bucket_arn}')).toEqual(
      new UnknownValue('aws_s3_bucket.this.arn', 'modules/app'),
    );
  });

  it('stops at references that loop', async () => {
    const evaluator = new ConfigurationEvaluator(await configurationOf(files));
    expect(evaluator.evaluate('', '${local.loop}')).toBeInstanceOf(
      UnknownValue,
    );
  });

  it('knows a resource is never created when its count or its module’s is 0', async () => {
    const configuration = await configurationOf(files, {
      name: 'dev',
      tier: 'development',
    });
    const bucket = configuration.resources.get('aws_s3_bucket')![0];
    expect(
      new ConfigurationEvaluator(configuration).isNeverCreated(bucket),
    ).toBe(true);
    expect(
      new ConfigurationEvaluator(configuration, {
        tier: 'production',
      }).isNeverCreated(bucket),
    ).toBe(false);
    // Without values the count is unknown: the bucket may be created.
    const unknown = await configurationOf(files);
    expect(
      new ConfigurationEvaluator(unknown).isNeverCreated(
        unknown.resources.get('aws_s3_bucket')![0],
      ),
    ).toBe(false);
  });
});
