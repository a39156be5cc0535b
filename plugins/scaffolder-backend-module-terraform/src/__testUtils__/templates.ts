import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  parseEntityRef,
} from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin, {
  createFetchPlainAction,
  createFetchTemplateAction,
} from '@backstage/plugin-scaffolder-backend';
import { JsonObject } from '@backstage/types';
import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import { parse } from '@cdktf/hcl2json';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import yaml from 'yaml';
import { createResolveTargetAction } from '../actions/resolveTarget';
import { createSetVariablesAction } from '../actions/setVariables';
import { scaffolderModuleTerraform } from '../module';
import {
  createTestContext,
  TERRAFORM_BINARY,
  terraformTestOptions,
} from './fixtures';

/** The repository's templates folder. */
export const TEMPLATES_DIR = path.resolve(
  // Tests always run from source, where __dirname is this folder.
  // eslint-disable-next-line no-restricted-syntax
  __dirname,
  '../../../../templates',
);

export interface TemplateStep {
  id: string;
  name?: string;
  action: string;
  input: Record<string, any>;
  if?: string;
  each?: string;
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
 * The answers of a template that nothing but their type constrains: every
 * string needs a pattern or an enum, every number bounds or an enum, every
 * array a maximum length and constrained items. Paths like
 * `parameters.services[].image`.
 */
export function unconstrainedParameters(template: {
  spec: { parameters: unknown };
}): string[] {
  const found: string[] = [];
  const visit = (schema: Record<string, any>, at: string) => {
    switch (schema.type) {
      case 'string':
        if (!schema.pattern && !schema.enum) found.push(at);
        break;
      case 'integer':
      case 'number':
        if (
          !schema.enum &&
          (schema.minimum === undefined || schema.maximum === undefined)
        ) {
          found.push(at);
        }
        break;
      case 'boolean':
        break;
      case 'array':
        if (schema.maxItems === undefined) found.push(`${at} (maxItems)`);
        visit(schema.items ?? {}, `${at}[]`);
        break;
      case 'object':
        for (const [key, property] of Object.entries(schema.properties ?? {})) {
          visit(property as Record<string, any>, `${at}.${key}`);
        }
        break;
      default:
        found.push(`${at} (type ${schema.type})`);
    }
  };
  for (const page of [template.spec.parameters].flat()) {
    visit({ ...(page as object), type: 'object' }, 'parameters');
  }
  return found;
}

/** A template as the catalog serves it from its file location in the repository. */
export async function templateEntity(name: string): Promise<Entity> {
  const { file, template } = await readTemplate(name);
  const location = `file:${file}`;
  return {
    ...template,
    metadata: {
      ...template.metadata,
      namespace: 'default',
      annotations: {
        [ANNOTATION_LOCATION]: location,
        [ANNOTATION_ORIGIN_LOCATION]: location,
      },
    },
  };
}

/** A template's files besides template.yaml, as the dry-run API takes them. */
export async function templateDirectoryContents(name: string) {
  const dir = path.join(TEMPLATES_DIR, name);
  const files = (await listFiles(dir)).filter(file => file !== 'template.yaml');
  return Promise.all(
    files.map(async file => ({
      path: file,
      base64Content: (await fs.readFile(path.join(dir, file))).toString(
        'base64',
      ),
    })),
  );
}

/**
 * The real scaffolder backend with this module, configured with `config`, and
 * a catalog holding `entities` (templates, environments).
 */
export async function startScaffolder(options: {
  config: JsonObject;
  entities?: Entity[];
}) {
  const { server } = await startTestBackend({
    features: [
      scaffolderPlugin,
      scaffolderModuleTerraform,
      catalogServiceMock.factory({ entities: options.entities ?? [] }),
      mockServices.rootConfig.factory({ data: options.config }),
    ],
  });
  return server;
}

/** What a template's expressions see: answers, earlier outputs, `each`. */
export interface TemplateContext {
  parameters: Record<string, unknown>;
  steps: Record<string, { output: Record<string, unknown> }>;
  each?: { key: string; value: unknown };
}

/** The scaffolder's filters the templates use, as the scaffolder defines them. */
const FILTERS: Record<string, (value: any, argument?: string) => unknown> = {
  parseEntityRef: value => parseEntityRef(value),
  pick: (value, key) => (value as Record<string, unknown>)?.[key!],
};

/**
 * Evaluates the expressions KLER's templates use in step inputs: a path such
 * as `parameters.services[0].name` or `each.value.image`, then filters. Any
 * other expression is refused, so a template that grows one is tested through
 * the scaffolder's own engine (dryRun.test.ts) rather than guessed at here.
 */
function evaluate(expression: string, context: TemplateContext): unknown {
  const [pathText, ...filters] = expression.split('|').map(part => part.trim());
  if (!/^[A-Za-z_]\w*(\.\w+|\[\d+\])*$/.test(pathText)) {
    throw new Error(`The test renderer does not evaluate '${expression}'`);
  }
  let value: unknown = context;
  for (const [, key, index] of pathText.matchAll(/\.?(\w+)|\[(\d+)\]/g)) {
    value = (value as Record<string, unknown> | undefined)?.[key ?? index];
  }
  for (const filter of filters) {
    const call = /^(\w+)(?:\('([^']*)'\))?$/.exec(filter);
    const apply = call && FILTERS[call[1]];
    if (!apply) {
      throw new Error(`The test renderer has no filter '${filter}'`);
    }
    value = apply(value, call[2]);
  }
  return value;
}

/**
 * Renders one string of a step's input the way the scaffolder does: a string
 * that is a single `${{ }}` keeps its value's type (and is dropped when
 * undefined); otherwise the expressions are interpolated as text.
 */
function renderValue(source: string, context: TemplateContext): unknown {
  if (source.includes('{%')) {
    throw new Error(`The test renderer does not run statements: '${source}'`);
  }
  const whole = /^\$\{\{(.*)\}\}$/s.exec(source);
  if (whole && !whole[1].includes('${{')) {
    return evaluate(whole[1].trim(), context);
  }
  return source.replace(/\$\{\{(.*?)\}\}/gs, (_match, expression: string) => {
    const value = evaluate(expression.trim(), context);
    return value === undefined || value === null ? '' : String(value);
  });
}

/** Renders a step's input (or `if`, `each`) against the context. */
export function renderStepInput(input: unknown, context: TemplateContext): any {
  return JSON.parse(JSON.stringify(input), (_key, value) =>
    typeof value === 'string' ? renderValue(value, context) : value,
  );
}

/** The actions {@link runTemplateSteps} runs unless told otherwise. */
function defaultActions(): Record<string, TemplateAction<any, any, any>> {
  const fetchOptions = {
    reader: mockServices.urlReader.mock(),
    integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
  };
  return {
    'kler:environment:resolveTarget': createResolveTargetAction(
      terraformTestOptions({ permissions: mockServices.permissions() }),
    ),
    'fetch:plain': createFetchPlainAction(fetchOptions),
    'fetch:template': createFetchTemplateAction(fetchOptions),
    'kler:environment:setVariables': createSetVariablesAction(),
  };
}

/**
 * Runs a template's steps in order with the real actions, into a fresh
 * workspace (or `workspacePath`): by default resolveTarget (with the tests'
 * config: accounts and their tier), the scaffolder's own fetch:plain and
 * fetch:template, and setVariables. Steps whose action is not in `actions`
 * (check, plan, publish, ...) are passed over. `each` is run per item as the
 * scaffolder does. The template's parameter schema is not applied here: tests
 * use this to see what happens to values that never passed the form.
 */
export async function runTemplateSteps(
  name: string,
  parameters: Record<string, unknown>,
  options: {
    workspacePath?: string;
    actions?: Record<string, TemplateAction<any, any, any>>;
  } = {},
) {
  const { file, steps } = await readTemplate(name);
  const workspacePath =
    options.workspacePath ??
    (await fs.mkdtemp(path.join(os.tmpdir(), `kler-${name}-`)));
  const actions = { ...defaultActions(), ...options.actions };
  const context: TemplateContext = { parameters, steps: {} };

  for (const step of steps) {
    const action = actions[step.action];
    if (!action) continue;
    if (step.if !== undefined) {
      throw new Error(
        `runTemplateSteps does not decide 'if' (step ${step.id})`,
      );
    }
    const iterations: Array<TemplateContext['each']> = step.each
      ? Object.entries(renderStepInput(step.each, context)).map(
          ([key, value]) => ({ key, value }),
        )
      : [undefined];
    const output: Record<string, unknown> = {};
    for (const each of iterations) {
      const { ctx, outputs } = createTestContext({
        workspacePath,
        input: renderStepInput(step.input, { ...context, each }),
      });
      await action.handler({
        ...ctx,
        templateInfo: {
          entityRef: `template:default/${name}`,
          baseUrl: `file://${file}`,
        },
      } as any);
      for (const [key, value] of Object.entries(outputs)) {
        output[key] = step.each
          ? [...((output[key] as unknown[]) ?? []), value]
          : value;
      }
    }
    context.steps[step.id] = { output };
  }
  return { workspacePath, context };
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

/** kler-bootstrap: the root module a platform engineer applies once per account. */
export const BOOTSTRAP_TERRAFORM_DIR = path.join(
  TEMPLATES_DIR,
  'kler-bootstrap',
);

/** kler-environment's Terraform, which every environment gets byte for byte. */
export const ENVIRONMENT_TERRAFORM_DIR = path.join(
  TEMPLATES_DIR,
  'kler-environment',
  'terraform',
);

/** Every .tf file under a directory with its content, by relative path. */
export async function readTerraformFiles(dir: string) {
  const files: Record<string, string> = {};
  for (const file of await listFiles(dir)) {
    if (file.endsWith('.tf')) {
      files[file] = await fs.readFile(path.join(dir, file), 'utf8');
    }
  }
  return files;
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

/** How a Terraform run of the tests went. */
export interface TerraformEvaluation {
  exitCode: number;
  stderr: string;
  /** The `locals` output's value when the run succeeded. */
  locals?: Record<string, any>;
}

/**
 * Evaluates a module's variables and locals with the real Terraform, offline:
 * `variables.tf` and `locals.tf` if there is one (neither uses a provider) are
 * planned with the variables given, and `names` locals come back as JSON. A
 * value a variable's validation refuses fails the plan, as it would in the
 * environment's own runs. `files` are data files of the module the locals
 * read (`file("${path.module}/...")`).
 */
export async function evaluateTerraformLocals(
  moduleDir: string,
  tfvars: unknown,
  names: string[],
  options: { files?: string[] } = {},
): Promise<TerraformEvaluation> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-locals-'));
  try {
    await fs.copyFile(
      path.join(moduleDir, 'variables.tf'),
      path.join(dir, 'variables.tf'),
    );
    await fs
      .copyFile(path.join(moduleDir, 'locals.tf'), path.join(dir, 'locals.tf'))
      .catch(() => undefined);
    for (const file of options.files ?? []) {
      await fs.copyFile(path.join(moduleDir, file), path.join(dir, file));
    }
    await fs.writeFile(
      path.join(dir, 'evaluate.tf'),
      `output "locals" {\n  value = {\n${names
        .map(local => `    ${local} = local.${local}\n`)
        .join('')}  }\n}\n`,
    );
    await fs.writeFile(
      path.join(dir, 'terraform.tfvars.json'),
      JSON.stringify(tfvars),
    );
    const env = {
      PATH: process.env.PATH,
      HOME: dir,
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
    };
    const run = (args: string[]) =>
      promisify(execFile)(TERRAFORM_BINARY, args, { cwd: dir, env }).then(
        ({ stdout, stderr }) => ({ exitCode: 0, stdout, stderr }),
        (error: { code?: number; stdout?: string; stderr?: string }) => ({
          exitCode: typeof error.code === 'number' ? error.code : 1,
          stdout: error.stdout ?? '',
          stderr: error.stderr ?? String(error),
        }),
      );
    const plan = await run([
      'plan',
      '-input=false',
      '-no-color',
      '-out=evaluate.tfplan',
    ]);
    if (plan.exitCode !== 0) {
      return { exitCode: plan.exitCode, stderr: plan.stderr };
    }
    const shown = await run(['show', '-json', '-no-color', 'evaluate.tfplan']);
    return {
      exitCode: shown.exitCode,
      stderr: shown.stderr,
      locals: JSON.parse(shown.stdout).planned_values.outputs.locals.value,
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
