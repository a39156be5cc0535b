import {
  BackendFeature,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
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
import scaffolderModuleGithub from '@backstage/plugin-scaffolder-backend-module-github';
import scaffolderModuleGitlab from '@backstage/plugin-scaffolder-backend-module-gitlab';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { JsonObject } from '@backstage/types';
import {
  parseRepoUrl,
  TemplateAction,
} from '@backstage/plugin-scaffolder-node';
import { parse } from '@cdktf/hcl2json';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import yaml from 'yaml';
import { createResolveTargetAction } from '../actions/resolveTarget';
import { createSetVariablesAction } from '../actions/setVariables';
import { createWritePipelineConfigAction } from '../actions/writePipelineConfig';
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

/**
 * Where kler-environment and kler-service keep an environment in the task's
 * workspace: as in the environments repository, whose root is `repository/`.
 */
export function workspaceEnvironmentPath(name: string) {
  return `repository/environments/${name}`;
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
 * The real scaffolder backend with this module and, as packages/backend has
 * them, the GitHub and GitLab modules; configured with `config`, a catalog
 * holding `entities` (templates, environments), and `features` (a
 * permissions service, say).
 */
export async function startScaffolder(options: {
  config: JsonObject;
  entities?: Entity[];
  features?: BackendFeature[];
}) {
  const { server } = await startTestBackend({
    features: [
      scaffolderPlugin,
      scaffolderModuleTerraform,
      scaffolderModuleGithub,
      scaffolderModuleGitlab,
      catalogServiceMock.factory({ entities: options.entities ?? [] }),
      mockServices.rootConfig.factory({ data: options.config }),
      ...(options.features ?? []),
    ],
  });
  return server;
}

/** What a template's expressions see: answers, earlier outputs, the user, `each`. */
export interface TemplateContext {
  parameters: Record<string, unknown>;
  steps: Record<string, { output: Record<string, unknown> }>;
  user: { ref?: string };
  each?: { key: string; value: unknown };
}

/** The part of the scaffolder's template engine (nunjitsu) the tests use. */
interface TemplateRenderer {
  prepareContext(context: unknown): unknown;
  renderValue(source: string, context: unknown): unknown;
}

/**
 * The filters the scaffolder gives every template (its createDefaultFilters,
 * which it does not export), built from the same public functions.
 */
function scaffolderFilters(): Record<string, (...args: any[]) => unknown> {
  const integrations = ScmIntegrations.fromConfig(new ConfigReader({}));
  return {
    parseRepoUrl: (url: string) => parseRepoUrl(url, integrations),
    parseEntityRef: (ref: string, context?: Record<string, string>) =>
      parseEntityRef(ref, context),
    // lodash's get, as the scaffolder's pick is: a dotted path.
    pick: (value: unknown, key: string) =>
      String(key)
        .split('.')
        .reduce<unknown>(
          (at, part) => (at as Record<string, unknown> | undefined)?.[part],
          value,
        ),
    projectSlug: (url: string) => {
      const { owner, repo } = parseRepoUrl(url, integrations);
      return `${owner}/${repo}`;
    },
  };
}

let renderer: TemplateRenderer | undefined;

/**
 * The scaffolder's own template engine, as its workflow runner creates it:
 * nunjitsu's createTemplateRenderer with regular expressions allowed and the
 * default filters. nunjitsu is loaded from the scaffolder's own dependencies,
 * so the tests render with the version the scaffolder runs.
 */
function scaffolderRenderer(): TemplateRenderer {
  if (!renderer) {
    const requireFromScaffolder = createRequire(
      path.join(
        resolvePackagePath('@backstage/plugin-scaffolder-backend'),
        'package.json',
      ),
    );
    const { createTemplateRenderer } = requireFromScaffolder('nunjitsu');
    renderer = createTemplateRenderer({
      allowRegexExecution: true,
      filters: scaffolderFilters(),
    }) as TemplateRenderer;
  }
  return renderer;
}

/**
 * Renders a step's input (or `if`, `each`) against the context as the
 * scaffolder does: every string through the engine's renderValue, so a string
 * that is a single `${{ }}` keeps its value's type. One difference, on
 * purpose: where the scaffolder keeps a string that fails to render as it is
 * (an `if` that fails is then a truthy string), this throws.
 */
export function renderStepInput(input: unknown, context: TemplateContext): any {
  const engine = scaffolderRenderer();
  // The engine takes JSON data only: undefined outputs are left out.
  const prepared = engine.prepareContext(JSON.parse(JSON.stringify(context)));
  return JSON.parse(JSON.stringify(input), (_key, value) => {
    if (typeof value !== 'string') return value;
    try {
      return engine.renderValue(value, prepared);
    } catch (error) {
      throw new Error(`Could not render '${value}': ${error}`);
    }
  });
}

/** Whether a rendered `if` lets its step run, as the scaffolder decides it. */
function isTruthy(value: unknown) {
  return Array.isArray(value) ? value.length > 0 : Boolean(value);
}

/**
 * A permissions service that grants the permissions named in `granted`
 * (e.g. `environments.provision`) and denies every other.
 */
export function permissionsGranting(granted: string[]) {
  const permissions = mockServices.permissions.mock();
  permissions.authorize.mockImplementation(async requests =>
    requests.map(request => ({
      result: granted.includes(request.permission.name)
        ? AuthorizeResult.ALLOW
        : AuthorizeResult.DENY,
    })),
  );
  return permissions;
}

/** What a {@link recordingAction} was called with. */
export interface RecordedCall {
  id: string;
  input: Record<string, any>;
}

/**
 * An action that stands in for a real one (a step that runs Terraform or
 * reaches a git host): it records its input in `calls` and answers with
 * `output`.
 */
export function recordingAction(
  id: string,
  calls: RecordedCall[],
  output: Record<string, unknown> = {},
): TemplateAction<any, any, any> {
  return {
    id,
    handler: async (ctx: {
      input: Record<string, any>;
      output(name: string, value: unknown): void;
    }) => {
      calls.push({ id, input: ctx.input });
      for (const [name, value] of Object.entries(output)) {
        ctx.output(name, value);
      }
    },
  } as unknown as TemplateAction<any, any, any>;
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
    'kler:environment:writePipelineConfig': createWritePipelineConfigAction(
      terraformTestOptions(),
    ),
  };
}

/** The user the steps run for unless told otherwise. */
export const TEMPLATE_TEST_USER = 'user:default/ada';

/**
 * Runs a template's steps in order with the real actions, into a fresh
 * workspace (or `workspacePath`): by default resolveTarget (with the tests'
 * config: accounts and their tier, a local repository, and a permissions
 * service that allows everything, so the portal applies), the scaffolder's own
 * fetch:plain and fetch:template, setVariables and writePipelineConfig. A step
 * whose `if` is false is skipped, decided by the scaffolder's own engine as
 * the scaffolder decides it; a step whose action is not in `actions` (check,
 * plan, publish, ...) is passed over. `each` is run per item as the scaffolder
 * does. The template's parameter schema is not applied here: tests use this to
 * see what happens to values that never passed the form.
 */
export async function runTemplateSteps(
  name: string,
  parameters: Record<string, unknown>,
  options: {
    workspacePath?: string;
    actions?: Record<string, TemplateAction<any, any, any>>;
    /** The entity ref of the user who started the task. */
    user?: string;
  } = {},
) {
  const { file, steps } = await readTemplate(name);
  const workspacePath =
    options.workspacePath ??
    (await fs.mkdtemp(path.join(os.tmpdir(), `kler-${name}-`)));
  const actions = { ...defaultActions(), ...options.actions };
  const user = { ref: options.user ?? TEMPLATE_TEST_USER };
  const context: TemplateContext = { parameters, steps: {}, user };
  /** Step ids: run, skipped by their `if`, passed over for want of an action. */
  const ran: string[] = [];
  const skipped: string[] = [];
  const passedOver: string[] = [];

  for (const step of steps) {
    if (
      step.if !== undefined &&
      step.each === undefined &&
      !isTruthy(renderStepInput(step.if, context))
    ) {
      skipped.push(step.id);
      continue;
    }
    const action = actions[step.action];
    if (!action) {
      passedOver.push(step.id);
      continue;
    }
    const iterations: Array<TemplateContext['each']> = step.each
      ? Object.entries(renderStepInput(step.each, context)).map(
          ([key, value]) => ({ key, value }),
        )
      : [undefined];
    const output: Record<string, unknown> = {};
    for (const each of iterations) {
      const iterationContext = { ...context, each };
      if (
        step.each !== undefined &&
        step.if !== undefined &&
        !isTruthy(renderStepInput(step.if, iterationContext))
      ) {
        continue;
      }
      const { ctx, outputs } = createTestContext({
        workspacePath,
        input: renderStepInput(step.input ?? {}, iterationContext),
      });
      await action.handler({
        ...ctx,
        user,
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
    ran.push(step.id);
  }
  return { workspacePath, context, ran, skipped, passedOver };
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
