import fs from 'node:fs/promises';
import path from 'node:path';
import { TerraformConfig } from './config';
import { normalizeProviderSource } from './policy';

const ALLOWED_PROVIDERS_KEY = 'kler.terraform.allowedProviders';

/**
 * A string of the CLI configuration, which Terraform reads as HCL 1: quotes,
 * backslashes and newlines escaped. HCL 1 has no templates, so `%{` is kept as
 * it is; nor any escape for `${` (it keeps `$${` as written and reads no
 * escapes after `${`), so a value with `${` cannot be written and is refused.
 */
function hclString(value: string, key: string) {
  if (value.includes('${')) {
    throw new Error(
      `Invalid config at ${key}: '${value}' contains '\${', which Terraform's CLI configuration cannot hold`,
    );
  }
  return `"${value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')}"`;
}

function hclList(values: string[], key: string) {
  return `[${values.map(value => hclString(value, key)).join(', ')}]`;
}

/**
 * The CLI configuration of every Terraform run (`TF_CLI_CONFIG_FILE`): provider
 * installation limited to the allowlist, from the mirror when one is
 * configured, and from the registry only when `download` is set (never in a
 * dry run). With an explicit `provider_installation`, Terraform also ignores
 * the implicit mirror directories (`terraform.d/plugins` of the working
 * directory), so a configuration cannot bring its own provider binaries.
 */
export function renderCliConfig(
  config: Pick<TerraformConfig, 'providerMirror' | 'pluginCacheDir' | 'policy'>,
  options: { download: boolean },
): string {
  const allowed = config.policy.allowedProviders.map(normalizeProviderSource);
  const methods: string[] = [];
  // Terraform reads an empty include as "every provider".
  if (config.providerMirror && allowed.length > 0) {
    methods.push(
      [
        '  filesystem_mirror {',
        `    path    = ${hclString(
          config.providerMirror,
          'kler.terraform.providerMirror',
        )}`,
        `    include = ${hclList(allowed, ALLOWED_PROVIDERS_KEY)}`,
        '  }',
      ].join('\n'),
    );
  }
  if (options.download && allowed.length > 0) {
    methods.push(
      [
        '  direct {',
        `    include = ${hclList(allowed, ALLOWED_PROVIDERS_KEY)}`,
        '  }',
      ].join('\n'),
    );
  }
  const lines = [
    'disable_checkpoint = true',
    ...(config.pluginCacheDir && options.download
      ? [
          `plugin_cache_dir = ${hclString(
            config.pluginCacheDir,
            'kler.terraform.pluginCacheDir',
          )}`,
        ]
      : []),
    'provider_installation {',
    ...methods,
    '}',
    '',
  ];
  return lines.join('\n');
}

/** Writes the CLI configuration into `directory` and returns its path. */
export async function writeCliConfig(
  directory: string,
  config: Pick<TerraformConfig, 'providerMirror' | 'pluginCacheDir' | 'policy'>,
  options: { download: boolean },
) {
  const file = path.join(directory, 'terraform.tfrc');
  await fs.writeFile(file, renderCliConfig(config, options), { mode: 0o600 });
  return file;
}
