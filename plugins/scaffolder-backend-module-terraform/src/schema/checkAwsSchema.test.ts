import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  ENVIRONMENT_TERRAFORM_DIR,
  TEMPLATES_DIR,
} from '../__testUtils__/templates';
import { listTerraformFiles, parseFile } from '../terraform/policy';
import { AwsProviderSchema, getAwsProviderSchema } from './awsProviderSchema';
import { checkAwsSchema, editDistance } from './checkAwsSchema';

const VERSION = getAwsProviderSchema().version;

const NOTHING_KNOWN = new AwsProviderSchema({
  source: 'test',
  provider: 'registry.terraform.io/hashicorp/aws',
  version: '6.0.0',
  providerConfig: '',
  resources: {},
  dataSources: {},
  ephemeralResources: {},
});

/** Reads a configuration as the actions do: the policy's listing and parsing. */
async function checkDirectory(directory: string) {
  const files = await Promise.all(
    (
      await listTerraformFiles(directory)
    ).map(file => parseFile(directory, file)),
  );
  return checkAwsSchema(files);
}

let workspace: string;

beforeEach(async () => {
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'aws-schema-'));
});

afterEach(async () => {
  await fs.rm(workspace, { recursive: true, force: true });
});

/** Checks a configuration written from `files` (relative path to HCL). */
async function checkFiles(files: Record<string, string>) {
  for (const [file, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(workspace, file)), {
      recursive: true,
    });
    await fs.writeFile(path.join(workspace, file), text);
  }
  return checkDirectory(workspace);
}

describe('checkAwsSchema', () => {
  // The fixtures use terraform_data only: nothing of AWS to check.
  it.each([
    ['kler-environment/terraform', ENVIRONMENT_TERRAFORM_DIR, true],
    [
      'terraform-fixtures',
      path.join(TEMPLATES_DIR, 'terraform-fixtures'),
      false,
    ],
  ])('finds no problem in templates/%s', async (_name, directory, usesAws) => {
    const files = await Promise.all(
      (
        await listTerraformFiles(directory)
      ).map(file => parseFile(directory, file)),
    );
    expect(files.length).toBeGreaterThan(0);
    expect(checkAwsSchema(files)).toEqual([]);

    // Not by skipping: against a schema that knows no type, every AWS
    // resource and data source of the templates is a problem.
    const headers = files.flatMap(
      ({ text }) => text.match(/^(resource|data) "aws_\w+"/gm) ?? [],
    );
    expect(headers.length > 0).toBe(usesAws);
    expect(
      checkAwsSchema(files, NOTHING_KNOWN).filter(problem =>
        /^(resource|data) /.test(problem.block),
      ),
    ).toHaveLength(headers.length);
  });

  it('reports a misspelt argument with the closest name and its line', async () => {
    expect(
      await checkFiles({
        'main.tf': `resource "aws_efs_file_system" "data" {
  creation_token = "kler"
  encryptd       = true
}
`,
      }),
    ).toEqual([
      {
        file: 'main.tf',
        line: 3,
        block: 'resource "aws_efs_file_system" "data"',
        message: `"encryptd" is not an argument or block of aws_efs_file_system in the AWS provider ${VERSION} (did you mean "encrypted"?)`,
      },
    ]);
  });

  it('reports a misspelt nested block, and checks the names inside known blocks', async () => {
    expect(
      await checkFiles({
        'modules/alb/main.tf': `resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80

  default_actoin {
    type = "fixed-response"
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443

  default_action {
    type = "forward"
    forward {
      target_groups {
        arn = aws_lb_target_group.this.arn
      }
    }
  }
}
`,
      }),
    ).toEqual([
      {
        file: path.join('modules', 'alb', 'main.tf'),
        line: 5,
        block: 'resource "aws_lb_listener" "http"',
        message: `"default_actoin" is not an argument or block of aws_lb_listener in the AWS provider ${VERSION} (did you mean "default_action"?)`,
      },
      {
        file: path.join('modules', 'alb', 'main.tf'),
        line: 17,
        block: 'resource "aws_lb_listener" "https"',
        message: `"target_groups" is not an argument or block of aws_lb_listener.default_action.forward in the AWS provider ${VERSION} (did you mean "target_group"?)`,
      },
    ]);
  });

  it('reports unknown resource types and data sources with the closest known one', async () => {
    expect(
      await checkFiles({
        'main.tf': `data "aws_iam_policy_documnt" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
  }
}

resource "aws_ecs_servce" "app" {
  name = "app"
}

resource "aws_not_a_thing_at_all" "x" {}
`,
      }),
    ).toEqual([
      {
        file: 'main.tf',
        line: 1,
        block: 'data "aws_iam_policy_documnt" "assume"',
        message: `aws_iam_policy_documnt is not a data source in the AWS provider ${VERSION} (did you mean "aws_iam_policy_document"?)`,
      },
      {
        file: 'main.tf',
        line: 7,
        block: 'resource "aws_ecs_servce" "app"',
        message: `aws_ecs_servce is not a resource type in the AWS provider ${VERSION} (did you mean "aws_ecs_service"?)`,
      },
      {
        file: 'main.tf',
        line: 11,
        block: 'resource "aws_not_a_thing_at_all" "x"',
        message: `aws_not_a_thing_at_all is not a resource type in the AWS provider ${VERSION}`,
      },
    ]);
  });

  it('checks the name and the content of dynamic blocks', async () => {
    expect(
      await checkFiles({
        'main.tf': `resource "aws_security_group" "app" {
  name   = "app"
  vpc_id = var.vpc_id

  dynamic "ingress" {
    for_each = var.ports
    iterator = port
    content {
      from_port   = port.value
      to_port     = port.value
      protocol    = "tcp"
      cidr_blockz = ["10.0.0.0/8"]
    }
  }

  dynamic "egres" {
    for_each = [1]
    content {}
  }

  dynamic "egress" {
    for_each = [1]
    contents {}
  }
}
`,
      }),
    ).toEqual([
      {
        file: 'main.tf',
        line: 12,
        block: 'resource "aws_security_group" "app"',
        message: `"cidr_blockz" is not an argument or block of aws_security_group.ingress in the AWS provider ${VERSION} (did you mean "cidr_blocks"?)`,
      },
      {
        file: 'main.tf',
        line: 16,
        block: 'resource "aws_security_group" "app"',
        message: `dynamic "egres": "egres" is not a block of aws_security_group in the AWS provider ${VERSION} (did you mean "egress"?)`,
      },
      {
        file: 'main.tf',
        line: 23,
        block: 'resource "aws_security_group" "app"',
        message:
          '"contents" is not an argument of dynamic "egress" (it takes for_each, iterator, labels, content) (did you mean "content"?)',
      },
    ]);
  });

  it('accepts the meta-arguments, lifecycle, provisioners, connection and timeouts', async () => {
    expect(
      await checkFiles({
        'main.tf': `resource "aws_efs_file_system" "data" {
  count      = var.enabled ? 1 : 0
  provider   = aws.east
  depends_on = [aws_kms_key.data]
  encrypted  = true

  lifecycle {
    prevent_destroy       = true
    create_before_destroy = false
    ignore_changes        = [tags]
    replace_triggered_by  = [terraform_data.trigger]
    precondition {
      condition     = var.enabled
      error_message = "x"
    }
  }
}

resource "aws_instance" "bastion" {
  for_each      = toset(["a"])
  ami           = "ami-123"
  instance_type = "t3.micro"

  connection {
    host = self.public_ip
  }
  provisioner "remote-exec" {
    inline = ["true"]
  }
  timeouts {
    create = "10m"
  }
}

data "aws_caller_identity" "current" {
  provider = aws.east
  lifecycle {
    postcondition {
      condition     = self.account_id != ""
      error_message = "x"
    }
  }
}
`,
      }),
    ).toEqual([]);
  });

  it('reports timeouts where the type has none, and unknown lifecycle arguments', async () => {
    expect(
      await checkFiles({
        'main.tf': `resource "aws_efs_file_system_policy" "data" {
  file_system_id = aws_efs_file_system.data.id
  policy         = "{}"
  lifecycle {
    ignore_change = [policy]
  }
  timeouts {
    create = "1m"
  }
}
`,
      }),
    ).toEqual([
      {
        file: 'main.tf',
        line: 5,
        block: 'resource "aws_efs_file_system_policy" "data"',
        message:
          '"ignore_change" is not an argument or block of lifecycle (did you mean "ignore_changes"?)',
      },
      {
        file: 'main.tf',
        line: 7,
        block: 'resource "aws_efs_file_system_policy" "data"',
        message: `"timeouts" is not an argument or block of aws_efs_file_system_policy in the AWS provider ${VERSION}`,
      },
    ]);
  });

  it('checks only the AWS provider: other providers, terraform_data and module inputs are left alone', async () => {
    expect(
      await checkFiles({
        'versions.tf': `terraform {
  required_providers {
    aws     = { source = "hashicorp/aws" }
    awsalt  = { source = "registry.terraform.io/hashicorp/aws" }
    random  = { source = "hashicorp/random" }
  }
}
`,
        'main.tf': `resource "terraform_data" "x" {
  input = 1
}

resource "random_pet" "name" {
  anything = true
}

resource "awscc_ecs_cluster" "x" {
  whatever = true
}

module "efs" {
  source   = "./modules/efs"
  encryptd = true
}

resource "aws_efs_file_system" "alt" {
  provider = awsalt.west
  encryptd = true
}
`,
        'modules/efs/main.tf': `terraform {
  required_providers {
    aws = { source = "example/aws" }
  }
}

resource "aws_efs_file_system" "elsewhere" {
  encryptd = true
}
`,
      }),
    ).toEqual([
      expect.objectContaining({
        file: 'main.tf',
        line: 20,
        block: 'resource "aws_efs_file_system" "alt"',
      }),
    ]);
  });

  it('checks provider "aws" settings, data sources in check blocks and ephemeral resources', async () => {
    expect(
      await checkFiles({
        'main.tf': `provider "aws" {
  alias  = "east"
  region = "us-east-1"
  default_tags {
    tag = { Team = "kler" }
  }
}

check "account" {
  data "aws_caller_identity" "now" {
    acount = "x"
  }
  assert {
    condition     = data.aws_caller_identity.now.account_id != ""
    error_message = "x"
  }
}

ephemeral "aws_secretsmanager_secret_version" "db" {
  secret_id  = "db"
  version_id = "x"
}

ephemeral "aws_secretsmanager_secret_versoin" "db" {
  secret_id = "db"
}
`,
      }),
    ).toEqual([
      {
        file: 'main.tf',
        line: 5,
        block: 'provider "aws"',
        message: `"tag" is not an argument or block of provider "aws".default_tags in the AWS provider ${VERSION} (did you mean "tags"?)`,
      },
      {
        file: 'main.tf',
        line: 11,
        block: 'data "aws_caller_identity" "now"',
        message: `"acount" is not an argument or block of aws_caller_identity in the AWS provider ${VERSION}`,
      },
      {
        file: 'main.tf',
        line: 24,
        block: 'ephemeral "aws_secretsmanager_secret_versoin" "db"',
        message: `aws_secretsmanager_secret_versoin is not an ephemeral resource type in the AWS provider ${VERSION} (did you mean "aws_secretsmanager_secret_version"?)`,
      },
    ]);
  });

  it('takes a block the bindings only know as an argument without checking inside it', async () => {
    // The bindings stop at wafv2_web_acl's rule.statement (recursive in the provider).
    expect(
      await checkFiles({
        'main.tf': `resource "aws_wafv2_web_acl" "app" {
  name  = "app"
  scope = "REGIONAL"
  default_action {
    allow {}
  }
  rule {
    name     = "rate"
    priority = 1
    statement {
      rate_based_statement {
        limit = 100
      }
    }
    dynamic "statement" {
      for_each = []
      content {}
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "rate"
      sampled_requests_enabled   = true
    }
  }
  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "app"
    sampled_requests_enabled   = true
  }
}
`,
      }),
    ).toEqual([]);
  });
});

describe('editDistance', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('default_actoin', 'default_action')).toBe(1);
    expect(editDistance('encryptd', 'encrypted')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});
