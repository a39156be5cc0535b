import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import {
  createFetchPlainAction,
  createFetchTemplateAction,
} from '@backstage/plugin-scaffolder-backend';
import { parse } from '@cdktf/hcl2json';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import yaml from 'yaml';
import { createTestContext } from './fixtures';

/** The repository's templates folder. */
export const TEMPLATES_DIR = path.resolve(
  // Tests always run from source, where __dirname is this folder.
  // eslint-disable-next-line no-restricted-syntax
  __dirname,
  '../../../../templates',
);

interface TemplateStep {
  id: string;
  action: string;
  input: Record<string, any>;
  if?: string;
}

/** Reads a template.yaml of the repository. */
export async function readTemplate(name: string) {
  const file = path.join(TEMPLATES_DIR, name, 'template.yaml');
  const template = yaml.parse(await fs.readFile(file, 'utf8'));
  return {
    file,
    template,
    steps: template.spec.steps as TemplateStep[],
  };
}

/**
 * Replaces `${{ parameters.x }}` in a step's input the way the scaffolder does
 * for whole-value expressions (keeping arrays, numbers and booleans).
 */
export function renderStepInput(
  input: unknown,
  parameters: Record<string, unknown>,
): any {
  if (typeof input === 'string') {
    // `parameters.x` alone, or `parameters.x or (default)` with x given.
    const whole = /^\$\{\{\s*parameters\.(\w+)(\s+or\s+.*)?\s*\}\}$/.exec(
      input,
    );
    if (whole) return parameters[whole[1]];
    return input.replace(/\$\{\{\s*parameters\.(\w+)\s*\}\}/g, (_m, key) =>
      String(parameters[key] ?? ''),
    );
  }
  if (Array.isArray(input))
    return input.map(i => renderStepInput(i, parameters));
  if (input && typeof input === 'object') {
    return Object.fromEntries(
      Object.entries(input).map(([k, v]) => [
        k,
        renderStepInput(v, parameters),
      ]),
    );
  }
  return input;
}

/**
 * Runs a template's fetch:template and fetch:plain steps with the scaffolder's
 * own actions (its nunjucks-compatible renderer) into a fresh workspace, or
 * into `workspacePath`. `context` replaces other expressions of the steps,
 * e.g. outputs of earlier steps.
 */
export async function renderTemplate(
  name: string,
  parameters: Record<string, unknown>,
  options: { workspacePath?: string; context?: Record<string, string> } = {},
) {
  const { file, steps } = await readTemplate(name);
  const workspacePath =
    options.workspacePath ??
    (await fs.mkdtemp(path.join(os.tmpdir(), `kler-${name}-`)));
  const actionOptions = {
    reader: mockServices.urlReader.mock(),
    integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
  };
  const actions: Record<string, any> = {
    'fetch:template': createFetchTemplateAction(actionOptions),
    'fetch:plain': createFetchPlainAction(actionOptions),
  };
  for (const step of steps) {
    const action = actions[step.action];
    if (!action) continue;
    let input = JSON.stringify(step.input);
    for (const [expression, value] of Object.entries(options.context ?? {})) {
      input = input.split(expression).join(value);
    }
    const { ctx } = createTestContext({
      workspacePath,
      input: renderStepInput(JSON.parse(input), parameters),
    });
    await action.handler({
      ...ctx,
      templateInfo: {
        entityRef: `template:default/${name}`,
        baseUrl: `file://${file}`,
      },
    });
  }
  return workspacePath;
}

/** Every file under a directory, relative to it. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, {
    recursive: true,
    withFileTypes: true,
  });
  return entries
    .filter(entry => entry.isFile())
    .map(entry => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** Parses every .tf file under a directory with hcl2json, by relative path. */
export async function parseTerraform(dir: string) {
  const parsed: Record<string, Record<string, any>> = {};
  for (const file of await listFiles(dir)) {
    if (!file.endsWith('.tf')) continue;
    parsed[file] = await parse(
      file,
      await fs.readFile(path.join(dir, file), 'utf8'),
    );
  }
  return parsed;
}
