import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { renderCliConfig, writeCliConfig } from './cliConfig';
import { TERRAFORM_BINARY } from '../__testUtils__/fixtures';

jest.setTimeout(60_000);

const policy = {
  allowedProviders: ['hashicorp/aws', 'HashiCorp/Random'],
  allowedModuleSources: [],
  allowedBackends: ['s3'],
};

describe('renderCliConfig', () => {
  it('limits the mirror and the registry to the allowlist, as full addresses', () => {
    expect(
      renderCliConfig(
        {
          policy,
          providerMirror: '/opt/terraform/providers',
          pluginCacheDir: '/var/cache/terraform',
        },
        { download: true },
      ),
    ).toBe(
      [
        'disable_checkpoint = true',
        'plugin_cache_dir = "/var/cache/terraform"',
        'provider_installation {',
        '  filesystem_mirror {',
        '    path    = "/opt/terraform/providers"',
        '    include = ["registry.terraform.io/hashicorp/aws", "registry.terraform.io/hashicorp/random"]',
        '  }',
        '  direct {',
        '    include = ["registry.terraform.io/hashicorp/aws", "registry.terraform.io/hashicorp/random"]',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('without download: the mirror only, and no plugin cache', () => {
    expect(
      renderCliConfig(
        {
          policy,
          providerMirror: '/opt/terraform/providers',
          pluginCacheDir: '/var/cache/terraform',
        },
        { download: false },
      ),
    ).toBe(
      [
        'disable_checkpoint = true',
        'provider_installation {',
        '  filesystem_mirror {',
        '    path    = "/opt/terraform/providers"',
        '    include = ["registry.terraform.io/hashicorp/aws", "registry.terraform.io/hashicorp/random"]',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('without download or mirror: no installation method at all', () => {
    expect(renderCliConfig({ policy }, { download: false })).toBe(
      'disable_checkpoint = true\nprovider_installation {\n}\n',
    );
  });

  it('with an empty allowlist: neither the mirror nor the registry, since Terraform reads an empty include as "all"', () => {
    expect(
      renderCliConfig(
        {
          policy: { ...policy, allowedProviders: [] },
          providerMirror: '/opt/terraform/providers',
        },
        { download: true },
      ),
    ).toBe('disable_checkpoint = true\nprovider_installation {\n}\n');
  });

  it('escapes quotes, backslashes and newlines, and keeps %{ as it is', () => {
    expect(
      renderCliConfig(
        { policy, providerMirror: '/opt/a "b"\\c\n%{d}' },
        { download: false },
      ),
    ).toContain('    path    = "/opt/a \\"b\\"\\\\c\\n%{d}"\n');
  });

  it('refuses a value with ${, which HCL 1 cannot hold, naming the key', () => {
    expect(() =>
      renderCliConfig(
        { policy, pluginCacheDir: '/var/cache/${HOME}' },
        { download: true },
      ),
    ).toThrow(
      "Invalid config at kler.terraform.pluginCacheDir: '/var/cache/${HOME}' contains '${'",
    );
  });
});

/** Runs the real Terraform with a CLI configuration this module wrote. */
describe('renderCliConfig with the real Terraform', () => {
  let root: string;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-cli-config-test-'));
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  /** `terraform init -backend=false` of `mainTf` with the rendered CLI config. */
  async function init(
    mainTf: string,
    config: Parameters<typeof renderCliConfig>[0],
    options: { download: boolean },
    files: Record<string, string> = {},
  ) {
    const workingDirectory = await fs.mkdtemp(path.join(root, 'config-'));
    await fs.writeFile(path.join(workingDirectory, 'main.tf'), mainTf);
    for (const [name, text] of Object.entries(files)) {
      const file = path.join(workingDirectory, name);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, text, { mode: 0o755 });
    }
    const home = await fs.mkdtemp(path.join(root, 'home-'));
    const cliConfigFile = await writeCliConfig(home, config, options);
    const result = spawnSync(
      TERRAFORM_BINARY,
      ['init', '-backend=false', '-input=false', '-no-color'],
      {
        cwd: workingDirectory,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          HOME: home,
          TF_CLI_CONFIG_FILE: cliConfigFile,
          TF_DATA_DIR: path.join(home, 'data'),
          TF_IN_AUTOMATION: '1',
          CHECKPOINT_DISABLE: '1',
        },
      },
    );
    return {
      status: result.status,
      // Terraform wraps long lines.
      output: `${result.stdout}${result.stderr}`.replace(/\s+/g, ' '),
    };
  }

  const requiresEvilAws = `terraform {
  required_providers {
    aws = { source = "evil/aws" }
  }
}
`;

  /** A provider package in the unpacked layout of a filesystem mirror. */
  const fakeProvider = (namespace: string) => ({
    [`registry.terraform.io/${namespace}/aws/1.0.0/linux_amd64/terraform-provider-aws`]:
      '#!/bin/sh\nexit 1\n',
  });

  it('refuses to install a provider outside the allowlist, even with download', async () => {
    const { status, output } = await init(
      requiresEvilAws,
      { policy },
      { download: true },
    );
    expect(status).not.toBe(0);
    expect(output).toMatch(
      /provider registry\.terraform\.io\/evil\/aws was not found|no available releases/,
    );
  });

  it('inits a configuration of built-in resources only, without download and with no network', async () => {
    const { status, output } = await init(
      'resource "terraform_data" "x" {}\n',
      { policy },
      { download: false },
    );
    expect(output).toContain('Terraform has been successfully initialized!');
    expect(status).toBe(0);
  });

  it('ignores provider binaries the configuration brings in terraform.d/plugins', async () => {
    const { status, output } = await init(
      requiresEvilAws,
      { policy },
      { download: false },
      Object.fromEntries(
        Object.entries(fakeProvider('evil')).map(([name, text]) => [
          `terraform.d/plugins/${name}`,
          text,
        ]),
      ),
    );
    expect(status).not.toBe(0);
    expect(output).not.toContain('Installed evil/aws');
  });

  it('installs an allowed provider from the mirror, and nothing else from it', async () => {
    const mirror = path.join(root, 'mirror');
    for (const [name, text] of Object.entries({
      ...fakeProvider('hashicorp'),
      ...fakeProvider('evil'),
    })) {
      await fs.mkdir(path.dirname(path.join(mirror, name)), {
        recursive: true,
      });
      await fs.writeFile(path.join(mirror, name), text, { mode: 0o755 });
    }

    const allowed = await init(
      'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n',
      { policy, providerMirror: mirror },
      { download: false },
    );
    expect(allowed.output).toContain('Installed hashicorp/aws v1.0.0');
    expect(allowed.status).toBe(0);

    const refused = await init(
      requiresEvilAws,
      { policy, providerMirror: mirror },
      { download: false },
    );
    expect(refused.status).not.toBe(0);
    expect(refused.output).toContain(
      'provider registry.terraform.io/evil/aws was not found',
    );

    const emptyAllowlist = await init(
      requiresEvilAws,
      {
        policy: { ...policy, allowedProviders: [] },
        providerMirror: mirror,
      },
      { download: false },
    );
    expect(emptyAllowlist.output).not.toContain('Installed evil/aws');
    expect(emptyAllowlist.status).not.toBe(0);
  });

  it('gives Terraform the mirror path exactly as configured', async () => {
    const mirror = path.join(root, 'odd "mirror" \\ %{x}');
    const { status, output } = await init(
      'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n',
      { policy, providerMirror: mirror },
      { download: false },
    );
    expect(status).not.toBe(0);
    expect(output).toContain(`cannot search ${mirror}:`);
  });
});
