import { PermissionsService } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
} from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { mockServices } from '@backstage/backend-test-utils';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The offline Terraform root module the tests run the real CLI on. */
export const FIXTURE_MODULE = path.resolve(
  // Tests always run from source, where __dirname is this folder.
  // eslint-disable-next-line no-restricted-syntax
  __dirname,
  '../../../../templates/terraform-fixtures',
);

/** Terraform on this machine, or `TERRAFORM_BINARY`. */
export const TERRAFORM_BINARY = process.env.TERRAFORM_BINARY ?? 'terraform';

/** A fresh workspace with the fixture module copied to `terraform/`. */
export async function createFixtureWorkspace() {
  const workspacePath = await fs.mkdtemp(
    path.join(os.tmpdir(), 'kler-terraform-test-'),
  );
  await fs.cp(FIXTURE_MODULE, path.join(workspacePath, 'terraform'), {
    recursive: true,
    filter: source => !/\.terraform|tfstate/.test(path.basename(source)),
  });
  return workspacePath;
}

/** The accounts of the tests' config: one development, one production. */
export const TEST_ACCOUNTS = {
  development: '111111111111',
  production: '222222222222',
} as const;

/** Placeholder credentials per test account: Terraform only sees them in its environment. */
export const TEST_CREDENTIALS = {
  [TEST_ACCOUNTS.development]: {
    accessKeyId: 'AKIAKLERDEVTEST00001',
    secretAccessKey: 'kLeR/dev/SecretAccessKey/ForTheTestOnly1',
  },
  [TEST_ACCOUNTS.production]: {
    accessKeyId: 'AKIAKLERPRODTEST0002',
    secretAccessKey: 'kLeR/prod/SecretAccessKey/ForTheTestOnly2',
  },
};

/** The catalog location the tests' config trusts for environment Resources. */
export const TRUSTED_LOCATION =
  'url:https://git.kler.test/kler/catalog/blob/main/environments.yaml';

/** An environment Resource as the catalog serves it, from `origin`. */
export function environmentEntity(
  name: string,
  options: {
    tier?: keyof typeof TEST_ACCOUNTS;
    accountId?: string;
    namespace?: string;
    origin?: string;
  } = {},
): Entity {
  const tier = options.tier ?? 'development';
  const origin = options.origin ?? TRUSTED_LOCATION;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: options.namespace ?? 'default',
      annotations: {
        [ANNOTATION_ORIGIN_LOCATION]: origin,
        [ANNOTATION_LOCATION]: origin,
        'kler.io/environment-tier': tier,
        'kler.io/aws-account-id': options.accountId ?? TEST_ACCOUNTS[tier],
        'kler.io/aws-region': 'eu-west-1',
        'kler.io/ecs-cluster': `kler-${name}`,
      },
    },
    spec: { type: 'environment', lifecycle: tier, owner: 'platform-team' },
  };
}

/** The target inputs of a run in a test account. */
export function testTarget(tier: keyof typeof TEST_ACCOUNTS = 'development') {
  return { awsAccountId: TEST_ACCOUNTS[tier], awsRegion: 'eu-west-1' };
}

/**
 * Root config of the tests: Terraform settings, the two accounts and their
 * credentials; `environments` adds to `kler.environments`.
 */
export function terraformTestConfig(
  terraform: Record<string, unknown> = {},
  more: Record<string, unknown> = {},
  environments: Record<string, unknown> = {},
) {
  return new ConfigReader({
    kler: {
      environments: { trustedLocations: [TRUSTED_LOCATION], ...environments },
      terraform: {
        binary: TERRAFORM_BINARY,
        timeoutMinutes: 5,
        cancelGraceSeconds: 20,
        accounts: [
          {
            accountId: TEST_ACCOUNTS.development,
            tier: 'development',
            regions: ['eu-west-1'],
          },
          {
            accountId: TEST_ACCOUNTS.production,
            tier: 'production',
            regions: ['eu-west-1'],
          },
        ],
        ...terraform,
      },
    },
    aws: {
      accounts: Object.entries(TEST_CREDENTIALS).map(
        ([accountId, credentials]) => ({ accountId, ...credentials }),
      ),
    },
    ...more,
  });
}

/** The options the actions are built from in tests, with a permissions mock. */
export function terraformTestOptions(
  options: {
    terraform?: Record<string, unknown>;
    config?: Record<string, unknown>;
    /** Added to `kler.environments`, e.g. `repository`. */
    environments?: Record<string, unknown>;
    permissions?: PermissionsService;
    catalog?: CatalogService;
  } = {},
) {
  const config = terraformTestConfig(
    options.terraform,
    options.config,
    options.environments,
  );
  return {
    config,
    awsCredentialsManager: DefaultAwsCredentialsManager.fromConfig(config),
    permissions: options.permissions,
    catalog: options.catalog,
  };
}

/** A logger that remembers every line, for assertions on what was logged. */
export function createRecordingLogger() {
  const lines: string[] = [];
  const logger = mockServices.logger.mock();
  const record = (message: string) => {
    lines.push(message);
  };
  logger.info.mockImplementation(record);
  logger.warn.mockImplementation(record);
  logger.error.mockImplementation(record);
  logger.debug.mockImplementation(record);
  logger.child.mockReturnValue(logger);
  return { logger, lines };
}

/**
 * An action context as the scaffolder gives one, with outputs collected and the
 * fields createMockActionContext does not take (signal, isDryRun, checkpoint).
 */
export function createTestContext<TInput extends Record<string, any>>(options: {
  workspacePath: string;
  input: TInput;
  secrets?: Record<string, string>;
  signal?: AbortSignal;
  isDryRun?: boolean;
  checkpoints?: Map<string, unknown>;
}) {
  const { logger, lines } = createRecordingLogger();
  const outputs: Record<string, any> = {};
  const base = createMockActionContext<TInput>({
    workspacePath: options.workspacePath,
    input: options.input,
    secrets: options.secrets,
    logger,
  });
  const checkpoints = options.checkpoints ?? new Map<string, unknown>();
  const ctx = {
    ...base,
    signal: options.signal,
    isDryRun: options.isDryRun,
    output: (name: string, value: unknown) => {
      outputs[name] = value;
    },
    async checkpoint<T>(opts: { key: string; fn: () => Promise<T> | T }) {
      if (checkpoints.has(opts.key)) return checkpoints.get(opts.key) as T;
      const value = await opts.fn();
      checkpoints.set(opts.key, value);
      return value;
    },
  };
  return { ctx: ctx as typeof base, outputs, lines, checkpoints };
}
