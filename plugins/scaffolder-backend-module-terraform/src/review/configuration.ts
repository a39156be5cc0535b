import path from 'node:path';

/**
 * A block's body as `@cdktf/hcl2json` gives it: literal values stay JSON
 * (`true`, `80`, `"HTTP"`, `{ Name = "x" }`), every expression is a string
 * holding its text (`"${var.x}"`, `"kler-${var.name}"`,
 * `"${jsonencode({ ... })}"`), nested blocks are lists of bodies, and
 * `dynamic "x"` blocks sit under `dynamic.x[].content`.
 */
export type HclBody = Record<string, unknown>;

/** Where a block is: the file (relative to the reviewed directory) and line. */
export interface BlockLocation {
  /**
   * The folder of the block's module relative to the reviewed directory,
   * `''` for the root module, e.g. `modules/efs`.
   */
  module: string;
  file: string;
  /** The line of the block's header; undefined when it cannot be found. */
  line?: number;
}

/** A `resource` or `data` block. */
export interface TerraformResource extends BlockLocation {
  type: string;
  name: string;
  attributes: HclBody;
}

/** A `variable` block. */
export interface TerraformVariable extends BlockLocation {
  name: string;
  /** Whether it has a default; a default may be `null`. */
  hasDefault: boolean;
  default?: unknown;
}

/** One named value of a `locals` block. */
export interface TerraformLocal extends BlockLocation {
  name: string;
  value: unknown;
}

/** An `output` block. */
export interface TerraformOutput extends BlockLocation {
  name: string;
  value: unknown;
}

/** A `module` block: the call of a module with its arguments. */
export interface TerraformModuleCall extends BlockLocation {
  name: string;
  source: string;
  /**
   * The called module's folder relative to the reviewed directory, for a
   * local source inside it; undefined for any other source.
   */
  target?: string;
  /** The module's arguments with `count`, `for_each`, `source` and the other meta-arguments. */
  attributes: HclBody;
}

/** A `provider` block (only the default, unaliased ones matter to the rules). */
export interface TerraformProvider extends BlockLocation {
  name: string;
  attributes: HclBody;
}

/** The values of the root module's variables files. */
export interface TerraformVariableValues {
  /** `terraform.tfvars.json` and `*.auto.tfvars.json`, in the order Terraform reads them. */
  files: Array<{ file: string; text: string }>;
  /** The values, merged in Terraform's order (later files win). */
  values: Record<string, unknown>;
}

/**
 * A Terraform configuration as the review rules see it: every `.tf` file
 * under a directory, the root module and the local modules in its folders,
 * with each block's file and line. Expressions are not evaluated here (see
 * `expressions.ts` for the little the rules work out).
 */
export interface TerraformConfiguration {
  /** Managed resources by type, e.g. `aws_lb`. */
  resources: ReadonlyMap<string, TerraformResource[]>;
  /** Data sources by type, e.g. `aws_iam_policy_document`. */
  dataSources: ReadonlyMap<string, TerraformResource[]>;
  variables: TerraformVariable[];
  locals: TerraformLocal[];
  outputs: TerraformOutput[];
  moduleCalls: TerraformModuleCall[];
  providers: TerraformProvider[];
  /** The root module's variable values, when a variables file is there. */
  variableValues?: TerraformVariableValues;
}

/** A parsed `.tf` file, as `src/terraform/policy/files.ts` lists and parses them. */
export interface ParsedTerraformFile {
  /** Relative to the reviewed directory. */
  file: string;
  text: string;
  body: HclBody;
}

export function isBody(value: unknown): value is HclBody {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The bodies of a block kind: hcl2json gives a list per label. */
export function bodiesOf(value: unknown): HclBody[] {
  if (Array.isArray(value)) return value.filter(isBody);
  return isBody(value) ? [value] : [];
}

/**
 * The nested blocks `name` of a body, static and the contents of
 * `dynamic "name"` blocks alike.
 */
export function blocksOf(body: HclBody, name: string): HclBody[] {
  const dynamic = bodiesOf(body.dynamic).flatMap(byName =>
    bodiesOf(byName[name]).flatMap(block => bodiesOf(block.content)),
  );
  return [...bodiesOf(body[name]), ...dynamic];
}

export function escapeRegExp(value: string) {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The line of the first match in a text, 1-based. */
export function lineAt(text: string, pattern: RegExp): number | undefined {
  const match = pattern.exec(text);
  return match ? text.slice(0, match.index).split('\n').length : undefined;
}

function headerLine(text: string, ...labels: string[]) {
  const [keyword, ...rest] = labels;
  return lineAt(
    text,
    new RegExp(
      `^[ \\t]*${escapeRegExp(keyword)}${rest
        .map(label => `\\s+"?${escapeRegExp(label)}"?`)
        .join('')}\\s*\\{`,
      'm',
    ),
  );
}

/** The line of `name =` in the first `locals` block that has it. */
function localLine(text: string, name: string) {
  const start = /^[ \t]*locals\s*\{/m.exec(text)?.index ?? 0;
  const line = lineAt(
    text.slice(start),
    new RegExp(`^[ \\t]*"?${escapeRegExp(name)}"?[ \\t]*=`, 'm'),
  );
  return line === undefined
    ? undefined
    : line + text.slice(0, start).split('\n').length - 1;
}

function moduleOf(file: string) {
  const directory = path.posix.dirname(file.split(path.sep).join('/'));
  return directory === '.' ? '' : directory;
}

/** The folder a local module source names, if it stays in the reviewed directory. */
function localTarget(module: string, source: string): string | undefined {
  if (!/^\.\.?\//.test(source)) return undefined;
  const target = path.posix.normalize(path.posix.join(module || '.', source));
  if (target === '..' || target.startsWith('../')) return undefined;
  return target === '.' ? '' : target.replace(/\/$/, '');
}

function addByType(
  map: Map<string, TerraformResource[]>,
  resource: TerraformResource,
) {
  map.set(resource.type, [...(map.get(resource.type) ?? []), resource]);
}

/**
 * Builds the review's view of a configuration from its parsed files and the
 * root module's variable values. Pure: the files were read and parsed by the
 * caller.
 */
export function buildConfiguration(
  files: ParsedTerraformFile[],
  variableValues?: TerraformVariableValues,
): TerraformConfiguration {
  const resources = new Map<string, TerraformResource[]>();
  const dataSources = new Map<string, TerraformResource[]>();
  const configuration: TerraformConfiguration = {
    resources,
    dataSources,
    variables: [],
    locals: [],
    outputs: [],
    moduleCalls: [],
    providers: [],
    variableValues,
  };
  for (const { file, text, body } of files) {
    const module = moduleOf(file);
    const at = (line: number | undefined) => ({ module, file, line });
    for (const [keyword, map] of [
      ['resource', resources],
      ['data', dataSources],
    ] as const) {
      const byType = isBody(body[keyword]) ? body[keyword] : {};
      for (const [type, byName] of Object.entries(byType)) {
        for (const [name, value] of Object.entries(
          isBody(byName) ? byName : {},
        )) {
          for (const attributes of bodiesOf(value)) {
            addByType(map, {
              ...at(headerLine(text, keyword, type, name)),
              type,
              name,
              attributes,
            });
          }
        }
      }
    }
    const variables = isBody(body.variable) ? body.variable : {};
    for (const [name, value] of Object.entries(variables)) {
      for (const attributes of bodiesOf(value)) {
        configuration.variables.push({
          ...at(headerLine(text, 'variable', name)),
          name,
          hasDefault: 'default' in attributes,
          ...('default' in attributes && { default: attributes.default }),
        });
      }
    }
    for (const locals of bodiesOf(body.locals)) {
      for (const [name, value] of Object.entries(locals)) {
        configuration.locals.push({
          ...at(localLine(text, name)),
          name,
          value,
        });
      }
    }
    const outputs = isBody(body.output) ? body.output : {};
    for (const [name, value] of Object.entries(outputs)) {
      for (const attributes of bodiesOf(value)) {
        configuration.outputs.push({
          ...at(headerLine(text, 'output', name)),
          name,
          value: attributes.value,
        });
      }
    }
    const modules = isBody(body.module) ? body.module : {};
    for (const [name, value] of Object.entries(modules)) {
      for (const attributes of bodiesOf(value)) {
        const source =
          typeof attributes.source === 'string' ? attributes.source : '';
        configuration.moduleCalls.push({
          ...at(headerLine(text, 'module', name)),
          name,
          source,
          target: localTarget(module, source),
          attributes,
        });
      }
    }
    const providers = isBody(body.provider) ? body.provider : {};
    for (const [name, value] of Object.entries(providers)) {
      for (const attributes of bodiesOf(value)) {
        configuration.providers.push({
          ...at(headerLine(text, 'provider', name)),
          name,
          attributes,
        });
      }
    }
  }
  return configuration;
}

/** The local module calls that call the module in a folder. */
export function callsOfModule(
  configuration: TerraformConfiguration,
  module: string,
): TerraformModuleCall[] {
  return configuration.moduleCalls.filter(call => call.target === module);
}

/** The managed resources of a type; `aws_alb` and `aws_lb` are one type. */
export function resourcesOfType(
  configuration: TerraformConfiguration,
  ...types: string[]
): TerraformResource[] {
  return types.flatMap(type => configuration.resources.get(type) ?? []);
}

/** How a rule names a resource: `aws_lb.this`. */
export function addressOf(resource: { type: string; name: string }) {
  return `${resource.type}.${resource.name}`;
}
