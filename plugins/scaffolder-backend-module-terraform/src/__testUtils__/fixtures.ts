import { ConfigReader } from '@backstage/config';
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

export function terraformTestConfig(terraform: Record<string, unknown> = {}) {
  return new ConfigReader({
    kler: {
      terraform: {
        binary: TERRAFORM_BINARY,
        timeoutMinutes: 5,
        cancelGraceSeconds: 20,
        ...terraform,
      },
    },
  });
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
