import { InputError } from '@backstage/errors';
import fs from 'node:fs/promises';
import path from 'node:path';
import { checkTerraformPolicy, TerraformPolicyError } from '.';
import { createFixtureWorkspace } from '../../__testUtils__/fixtures';
import { POLICY, usePolicyWorkspace } from './__testUtils__/policyWorkspace';

/** A configuration a platform team would write: it must pass. */
const REALISTIC_CONFIGURATION = {
  'versions.tf': `
terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }

  backend "s3" {
    use_lockfile = true
    encrypt      = true
  }
}
`,
  'providers.tf': `
provider "aws" {
  region              = var.aws_region
  allowed_account_ids = [var.aws_account_id]

  default_tags {
    tags = {
      environment = var.name
      backup_path = "/daily"
    }
  }
}

provider "aws" {
  alias  = "east"
  region = "us-east-1"
}
`,
  'main.tf': `
locals {
  # One file per service: services/<name>.json.
  services = {
    for f in fileset(path.module, "services/*.json") :
    trimsuffix(basename(f), ".json") => jsondecode(file("\${path.module}/\${f}"))
  }
}

module "network" {
  source = "./modules/network"

  name = var.name
}

module "registry_vpc" {
  source  = "app.terraform.io/kler/vpc/aws"
  version = "1.2.0"
}

resource "aws_s3_bucket" "site" {
  bucket = "kler-\${var.name}"
}

resource "aws_s3_object" "pages" {
  for_each = fileset(path.module, "site/*.html")

  bucket = aws_s3_bucket.site.id
  key    = each.value
  source = "\${path.module}/\${each.value}"
  etag   = filemd5("\${path.module}/\${each.value}")
}

resource "aws_lambda_function" "handler" {
  function_name    = "kler-\${var.name}"
  role             = "arn:aws:iam::111111111111:role/kler-handler"
  handler          = "index.handler"
  runtime          = "nodejs20.x"
  filename         = "\${path.module}/lambda.zip"
  source_code_hash = filebase64sha256("\${path.module}/lambda.zip")
}

resource "aws_acm_certificate" "site" {
  provider    = aws.east
  domain_name = "\${var.name}.kler.example"
}

resource "aws_ssm_parameter" "config" {
  name  = "/kler/\${var.name}/config"
  type  = "String"
  value = templatefile("\${path.module}/x.tpl", {})
}

resource "terraform_data" "marker" {
  input = var.name
}
`,
  'variables.tf': `
variable "name" {
  description = "Name of the environment, as in the file (JSON) of its values."
  type        = string
}

variable "aws_region" {
  type = string
}

variable "aws_account_id" {
  type = string
}
`,
  'outputs.tf': `
output "services" {
  value = keys(local.services)
}
`,
  'services/storefront.json':
    '{"image": "public.ecr.aws/kler/storefront:1.0.0"}',
  'site/index.html': '<h1>kler</h1>',
  'lambda.zip': 'zip',
  'x.tpl': 'region=${upper("eu-west-1")}\n',
  'modules/network/versions.tf': `
terraform {
  required_providers {
    aws = {
      source = "registry.terraform.io/hashicorp/aws"
    }
  }
}
`,
  'modules/network/main.tf': `
variable "name" {
  type = string
}

resource "aws_vpc" "this" {
  cidr_block = "10.0.0.0/16"
  tags       = { Name = var.name }
}

resource "aws_iam_policy" "flow_logs" {
  name   = "\${var.name}-flow-logs"
  policy = file("\${path.module}/policy.json")
}
`,
  'modules/network/policy.json': '{"Version": "2012-10-17", "Statement": []}',
};

describe('checkTerraformPolicy', () => {
  const policyWorkspace = usePolicyWorkspace();
  const { write, violationsOf } = policyWorkspace;

  describe('passes', () => {
    it('the fixture module of the action tests', async () => {
      const workspace = await createFixtureWorkspace();
      try {
        await expect(
          checkTerraformPolicy(path.join(workspace, 'terraform'), POLICY),
        ).resolves.toBeUndefined();
      } finally {
        await fs.rm(workspace, { recursive: true, force: true });
      }
    });

    it('a realistic AWS configuration: s3 backend, aliases, local and registry modules, files under path.module', async () => {
      expect(await violationsOf(REALISTIC_CONFIGURATION)).toEqual([]);
    });
  });

  it('names every refused block in one InputError', async () => {
    await write({
      'main.tf': `terraform {
  required_providers {
    aws = { source = "evil/aws" }
  }
}

data "external" "x" {
  program = ["sh"]
}
`,
      'modules/m/main.tf': 'output "o" {\n  value = file("/etc/passwd")\n}\n',
    });
    const error = await checkTerraformPolicy(policyWorkspace.dir, POLICY).catch(
      e => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error).toBeInstanceOf(TerraformPolicyError);
    expect(error.message).toBe(
      'The Terraform configuration was refused before init: ' +
        'main.tf:3: required_providers aws needs the provider evil/aws, which is not in kler.terraform.allowedProviders (hashicorp/aws); ' +
        'main.tf:7: data "external" "x" is refused: it runs a program on the host; ' +
        'modules/m/main.tf:2: file("/etc/passwd") is refused: files may be read only under path.module, by a path written out in full without ".." (or a path fileset gave)',
    );
  });
});
