import { configurationOf } from './__testUtils__/configurations';
import { referencedResources, refersTo } from './references';

const files = {
  'main.tf': `
module "app" {
  source    = "./modules/app"
  bucket_id = aws_s3_bucket.root.id
}

resource "aws_s3_bucket" "root" {
  bucket = "root"
}

output "arn" {
  value = module.app[0].bucket_arn
}
`,
  'modules/app/main.tf': `
variable "bucket_id" {
  type = string
}

resource "aws_s3_bucket" "this" {
  bucket = "app"
}

locals {
  bucket_id = aws_s3_bucket.this.id
  loop      = local.loop
}

output "bucket_arn" {
  value = aws_s3_bucket.this.arn
}
`,
};

describe('referencedResources', () => {
  it('finds resources through locals, module outputs and module arguments', async () => {
    const configuration = await configurationOf(files);
    expect(
      referencedResources(configuration, 'modules/app', '${local.bucket_id}'),
    ).toEqual(new Set(['modules/app|aws_s3_bucket.this']));
    expect(
      referencedResources(configuration, '', '${module.app[0].bucket_arn}'),
    ).toEqual(new Set(['modules/app|aws_s3_bucket.this']));
    expect(
      referencedResources(configuration, 'modules/app', [
        '${var.bucket_id}',
        { nested: 'arn:${aws_s3_bucket.this.arn}' },
      ]),
    ).toEqual(
      new Set(['|aws_s3_bucket.root', 'modules/app|aws_s3_bucket.this']),
    );
  });

  it('names data sources, and skips names that are not resources', async () => {
    const configuration = await configurationOf(files);
    expect(
      referencedResources(
        configuration,
        '',
        '${[data.aws_region.current.region, each.key, count.index, path.module]}',
      ),
    ).toEqual(new Set(['|data.aws_region.current']));
  });

  it('stops at references that loop', async () => {
    const configuration = await configurationOf(files);
    expect(
      referencedResources(configuration, 'modules/app', '${local.loop}'),
    ).toEqual(new Set());
  });
});

describe('refersTo', () => {
  it('tells whether an expression reaches a resource', async () => {
    const configuration = await configurationOf(files);
    const [root, app] = configuration.resources.get('aws_s3_bucket')!;
    expect(
      refersTo(configuration, '', '${module.app[0].bucket_arn}', app),
    ).toBe(true);
    expect(
      refersTo(configuration, '', '${module.app[0].bucket_arn}', root),
    ).toBe(false);
  });
});
