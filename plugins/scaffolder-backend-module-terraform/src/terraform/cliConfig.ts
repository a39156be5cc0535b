import fs from 'node:fs/promises';
import path from 'node:path';
import { TerraformConfig } from './config';
import { normalizeProviderSource } from './policy';

/** An HCL string literal: quotes, backslashes and template sequences escaped. */
function hclString(value: string) {
  return `"${value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\$\{/g, '$${')
    .replace(/%\{/g, '%%{')}"`;
}

function hclList(values: string[]) {
  return `[${values.map(hclString).join(', ')}]`;
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
  if (config.providerMirror) {
    methods.push(
      [
        '  filesystem_mirror {',
        `    path    = ${hclString(config.providerMirror)}`,
        `    include = ${hclList(allowed)}`,
        '  }',
      ].join('\n'),
    );
  }
  if (options.download && allowed.length > 0) {
    methods.push(
      ['  direct {', `    include = ${hclList(allowed)}`, '  }'].join('\n'),
    );
  }
  const lines = [
    'disable_checkpoint = true',
    ...(config.pluginCacheDir && options.download
      ? [`plugin_cache_dir = ${hclString(config.pluginCacheDir)}`]
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
