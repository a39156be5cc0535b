import fs from 'node:fs/promises';
import path from 'node:path';
import { normalizeProviderSource } from '.';
import { POLICY, usePolicyWorkspace } from './__testUtils__/policyWorkspace';

describe('providers', () => {
  const policyWorkspace = usePolicyWorkspace();
  const { violationsOf, refusedBlocks } = policyWorkspace;

  describe('passes', () => {
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
  });

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
    await fs.rm(path.join(policyWorkspace.dir, 'main.tf'));
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
