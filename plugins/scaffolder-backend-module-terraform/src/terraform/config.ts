import { Config } from '@backstage/config';
import { EnvironmentTier } from '@kler/plugin-environments-common';
import { TerraformContentPolicy } from './policy';

/** One account Terraform may run in, as the backend's config says. */
export interface TerraformAccount {
  accountId: string;
  tier: EnvironmentTier;
  /** The regions allowed in the account; empty means any. */
  regions: string[];
}

/** The `kler.terraform` settings, with their defaults. */
export interface TerraformConfig {
  binary: string;
  timeoutMinutes: number;
  backendConfig: Record<string, string>;
  pluginCacheDir?: string;
  /** A directory of provider packages (filesystem_mirror) tried before the registry. */
  providerMirror?: string;
  cancelGraceSeconds: number;
  /** Terraform processes this backend runs at once; more wait their turn. */
  maxConcurrentRuns: number;
  /** The accounts Terraform may plan or apply in; an account not listed is refused. */
  accounts: TerraformAccount[];
  policy: TerraformContentPolicy;
}

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const TIERS: EnvironmentTier[] = ['development', 'production'];

function configError(key: string, problem: string) {
  return new Error(`Invalid config at ${key}: ${problem}`);
}

function readPositive(
  config: Config | undefined,
  key: string,
  fallback: number,
) {
  const value = config?.getOptionalNumber(key) ?? fallback;
  if (!(Number.isFinite(value) && value > 0)) {
    throw configError(
      `kler.terraform.${key}`,
      `must be a positive number, got ${value}`,
    );
  }
  return value;
}

function readAccounts(terraform: Config | undefined): TerraformAccount[] {
  const seen = new Set<string>();
  return (terraform?.getOptionalConfigArray('accounts') ?? []).map(
    (account, index) => {
      const key = `kler.terraform.accounts[${index}]`;
      const accountId = account.getString('accountId');
      if (!ACCOUNT_ID.test(accountId)) {
        throw configError(
          `${key}.accountId`,
          `'${accountId}' is not a 12-digit AWS account id`,
        );
      }
      if (seen.has(accountId)) {
        throw configError(
          `${key}.accountId`,
          `account ${accountId} is listed twice`,
        );
      }
      seen.add(accountId);
      const tier = account.getString('tier') as EnvironmentTier;
      if (!TIERS.includes(tier)) {
        throw configError(
          `${key}.tier`,
          `must be one of ${TIERS.join(', ')}, got '${tier}'`,
        );
      }
      const regions = account.getOptionalStringArray('regions') ?? [];
      for (const region of regions) {
        if (!REGION.test(region)) {
          throw configError(
            `${key}.regions`,
            `'${region}' is not an AWS region`,
          );
        }
      }
      return { accountId, tier, regions };
    },
  );
}

/** Reads `kler.terraform`; every key is optional. Throws naming the key when one is wrong. */
export function readTerraformConfig(config: Config): TerraformConfig {
  const terraform = config.getOptionalConfig('kler.terraform');
  const backendConfig: Record<string, string> = {};
  const backend = terraform?.getOptionalConfig('backendConfig');
  for (const key of backend?.keys() ?? []) {
    backendConfig[key] = backend!.getString(key);
  }
  const maxConcurrentRuns = readPositive(terraform, 'maxConcurrentRuns', 2);
  if (!Number.isInteger(maxConcurrentRuns)) {
    throw configError('kler.terraform.maxConcurrentRuns', 'must be an integer');
  }
  return {
    binary: terraform?.getOptionalString('binary') ?? 'terraform',
    timeoutMinutes: readPositive(terraform, 'timeoutMinutes', 30),
    backendConfig,
    pluginCacheDir: terraform?.getOptionalString('pluginCacheDir'),
    providerMirror: terraform?.getOptionalString('providerMirror'),
    cancelGraceSeconds: readPositive(terraform, 'cancelGraceSeconds', 60),
    maxConcurrentRuns,
    accounts: readAccounts(terraform),
    policy: {
      allowedProviders: terraform?.getOptionalStringArray(
        'allowedProviders',
      ) ?? ['hashicorp/aws'],
      allowedModuleSources:
        terraform?.getOptionalStringArray('allowedModuleSources') ?? [],
      // Without a backend block Terraform keeps state in the working
      // directory; an explicit local backend could write it anywhere.
      allowedBackends: terraform?.getOptionalStringArray('allowedBackends') ?? [
        's3',
      ],
    },
  };
}
