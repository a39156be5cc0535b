import { Config } from '@backstage/config';

/** The `kler.terraform` settings, with their defaults. */
export interface TerraformConfig {
  binary: string;
  timeoutMinutes: number;
  backendConfig: Record<string, string>;
  pluginCacheDir?: string;
  cancelGraceSeconds: number;
}

/** Reads `kler.terraform`; every key is optional. */
export function readTerraformConfig(config: Config): TerraformConfig {
  const terraform = config.getOptionalConfig('kler.terraform');
  const backendConfig: Record<string, string> = {};
  const backend = terraform?.getOptionalConfig('backendConfig');
  for (const key of backend?.keys() ?? []) {
    backendConfig[key] = backend!.getString(key);
  }
  return {
    binary: terraform?.getOptionalString('binary') ?? 'terraform',
    timeoutMinutes: terraform?.getOptionalNumber('timeoutMinutes') ?? 30,
    backendConfig,
    pluginCacheDir: terraform?.getOptionalString('pluginCacheDir'),
    cancelGraceSeconds:
      terraform?.getOptionalNumber('cancelGraceSeconds') ?? 60,
  };
}
