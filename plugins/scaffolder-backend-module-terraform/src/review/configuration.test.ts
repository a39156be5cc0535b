import { configurationOf } from './__testUtils__/configurations';
import { addressOf, blocksOf, resourcesOfType } from './configuration';

const files = {
  'main.tf': `# The root module.

locals {
  production = var.tier == "production"
}

module "efs" {
  source = "./modules/efs"
  count  = local.production ? 1 : 0
  name   = "shared"
}

module "remote" {
  source = "app.terraform.io/kler/x/aws"
}

provider "aws" {
  default_tags {
    tags = { "kler:environment" = var.name }
  }
}

variable "tier" {
  type = string
}

variable "name" {
  type    = string
  default = null
}
`,
  'modules/efs/main.tf': `
resource "aws_efs_file_system" "this" {
  encrypted = true
  tags      = merge(var.tags, { Name = var.name })
}

resource "aws_ecs_task_definition" "this" {
  volume {
    name = "static"
  }

  dynamic "volume" {
    for_each = var.ids
    content {
      name = "dynamic"
      efs_volume_configuration {
        file_system_id = volume.value
      }
    }
  }
}

data "aws_iam_policy_document" "mount" {
  statement {
    actions = ["elasticfilesystem:ClientMount"]
  }
}

locals {
  zone    = "a"
  other   = 2
}

output "arn" {
  value = aws_efs_file_system.this.arn
}
`,
};

describe('buildConfiguration', () => {
  it('gives resources by type with their module, file, line and attributes as hcl2json has them', async () => {
    const configuration = await configurationOf(files);
    expect(resourcesOfType(configuration, 'aws_efs_file_system')).toEqual([
      {
        module: 'modules/efs',
        file: 'modules/efs/main.tf',
        line: 2,
        type: 'aws_efs_file_system',
        name: 'this',
        attributes: {
          encrypted: true,
          tags: '${merge(var.tags, { Name = var.name })}',
        },
      },
    ]);
    expect(configuration.dataSources.get('aws_iam_policy_document')).toEqual([
      expect.objectContaining({
        name: 'mount',
        line: 23,
        module: 'modules/efs',
      }),
    ]);
    expect(resourcesOfType(configuration, 'aws_lb', 'aws_alb')).toEqual([]);
    expect(
      addressOf(resourcesOfType(configuration, 'aws_efs_file_system')[0]),
    ).toBe('aws_efs_file_system.this');
  });

  it('gives variables with their defaults, null included', async () => {
    const { variables } = await configurationOf(files);
    // hcl2json gives blocks of a kind by name.
    expect(variables).toEqual([
      {
        module: '',
        file: 'main.tf',
        line: 27,
        name: 'name',
        hasDefault: true,
        default: null,
      },
      {
        module: '',
        file: 'main.tf',
        line: 23,
        name: 'tier',
        hasDefault: false,
      },
    ]);
  });

  it('gives locals and outputs with their lines', async () => {
    const { locals, outputs } = await configurationOf(files);
    expect(locals).toEqual([
      {
        module: '',
        file: 'main.tf',
        line: 4,
        name: 'production',
        value: '${var.tier == "production"}',
      },
      expect.objectContaining({
        module: 'modules/efs',
        name: 'other',
        line: 31,
      }),
      expect.objectContaining({
        module: 'modules/efs',
        name: 'zone',
        line: 30,
      }),
    ]);
    expect(outputs).toEqual([
      expect.objectContaining({
        module: 'modules/efs',
        name: 'arn',
        line: 34,
        value: '${aws_efs_file_system.this.arn}',
      }),
    ]);
  });

  it('gives module calls with the folder a local source names', async () => {
    const { moduleCalls } = await configurationOf(files);
    expect(moduleCalls).toEqual([
      expect.objectContaining({
        name: 'efs',
        line: 7,
        source: './modules/efs',
        target: 'modules/efs',
        attributes: expect.objectContaining({ name: 'shared' }),
      }),
      expect.objectContaining({ name: 'remote', target: undefined }),
    ]);
  });

  it('resolves sources relative to the calling module and refuses to leave the directory', async () => {
    const { moduleCalls } = await configurationOf({
      'modules/a/main.tf': `
module "b" {
  source = "../b"
}
module "outside" {
  source = "../../../x"
}
`,
    });
    expect(moduleCalls.map(call => [call.module, call.target])).toEqual([
      ['modules/a', 'modules/b'],
      ['modules/a', undefined],
    ]);
  });

  it('gives provider blocks', async () => {
    const { providers } = await configurationOf(files);
    expect(providers).toEqual([
      expect.objectContaining({
        name: 'aws',
        line: 17,
        attributes: {
          default_tags: [{ tags: { 'kler:environment': '${var.name}' } }],
        },
      }),
    ]);
  });

  it('keeps the values of the values file', async () => {
    const configuration = await configurationOf(files, { tier: 'production' });
    expect(configuration.variableValues?.values).toEqual({
      tier: 'production',
    });
    expect((await configurationOf(files)).variableValues).toBeUndefined();
  });
});

describe('blocksOf', () => {
  it('gives static blocks and the contents of dynamic ones', async () => {
    const configuration = await configurationOf(files);
    const [task] = resourcesOfType(configuration, 'aws_ecs_task_definition');
    expect(blocksOf(task.attributes, 'volume')).toEqual([
      { name: 'static' },
      {
        name: 'dynamic',
        efs_volume_configuration: [{ file_system_id: '${volume.value}' }],
      },
    ]);
    expect(blocksOf(task.attributes, 'placement_constraints')).toEqual([]);
  });
});
