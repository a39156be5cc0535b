import { InputError } from '@backstage/errors';
import { parse } from '@cdktf/hcl2json';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PLAN_DIRECTORY } from './planRecord';

/**
 * What a Terraform configuration may use, from `kler.terraform`. Terraform
 * configuration is code: `init` downloads and runs providers, `plan` runs data
 * sources. The policy is checked before any of that.
 */
export interface TerraformContentPolicy {
  /** Provider sources, e.g. `hashicorp/aws` (registry.terraform.io implied). */
  allowedProviders: string[];
  /** Prefixes of module sources beyond local paths, e.g. `app.terraform.io/kler/`. */
  allowedModuleSources: string[];
  /** Backend types, e.g. `s3`. */
  allowedBackends: string[];
}

/**
 * The actions' own folder (plans, Terraform's data directory), at the top of a
 * configuration that is the workspace root: not read, so no path of the
 * configuration may go into it. Everything else is read, `.terraform` and
 * `.git` too: Terraform's data directory is never inside the configuration
 * (TF_DATA_DIR), so whatever is there came with the configuration.
 */
const SKIPPED_DIRECTORY = PLAN_DIRECTORY;

/** Most `.tf` files a configuration may have: a bound on the work of the check. */
const MAX_FILES = 500;
/** Largest `.tf` file read. */
const MAX_FILE_BYTES = 1024 * 1024;

/** Data sources that run a program or fetch from anywhere, whatever their provider. */
const REFUSED_DATA_SOURCES: Record<string, string> = {
  external: 'runs a program on the host',
  http: 'fetches from any URL',
  terraform_remote_state: "reads another configuration's state",
};

/** Providers built into Terraform itself. */
const BUILTIN_PROVIDERS = new Set(['terraform']);

/**
 * Calls of the functions that read files of the host. Allowed only on paths
 * under `path.module`, so a configuration cannot read the backend's own
 * files. HCL allows comments between a function's name and its `(`.
 */
const FILE_FUNCTIONS =
  /\b(file|fileexists|fileset|filebase64|filemd5|filesha1|filesha256|filesha512|filebase64sha256|filebase64sha512|templatefile)(?:\s|\/\*[\s\S]*?\*\/|(?:#|\/\/)[^\n]*\n)*\(/g;

/**
 * Arguments of resources and data sources that name a file of the host for
 * the provider to read (`aws_s3_object.source`, `aws_lambda_function.filename`,
 * `aws_synthetics_canary.zip_file`): held to the rule of the file functions.
 */
const HOST_FILE_ARGUMENT =
  /^(source|filename|[a-z0-9_]*_(file|files|filename))$/;

/**
 * Provider and backend settings that read a file of the host or run a
 * program: a shared AWS config file runs its `credential_process`, a
 * kubeconfig its `exec` plugin.
 */
const HOST_SETTING =
  /^(exec|custom_ca_bundle|[a-z0-9_]*_(file|files|path|paths))$/;

/** A local module source. */
const LOCAL_MODULE_SOURCE = /^\.\.?\//;

type Body = Record<string, unknown>;

/** Names a path argument may use beside `path.module`: none. */
const NO_PATH_NAMES: ReadonlySet<string> = new Set();

/** One refusal: the file, the block and why. */
export interface PolicyViolation {
  file: string;
  line?: number;
  block: string;
  reason: string;
}

/** Thrown when a configuration breaks the policy; names every refused block. */
export class TerraformPolicyError extends InputError {
  constructor(readonly violations: PolicyViolation[]) {
    super(
      `The Terraform configuration was refused before init: ${violations
        .map(describeViolation)
        .join('; ')}`,
    );
  }
}

export function describeViolation(violation: PolicyViolation) {
  const where = violation.line
    ? `${violation.file}:${violation.line}`
    : violation.file;
  return `${where}: ${violation.block} ${violation.reason}`;
}

/** `hashicorp/aws` and `registry.terraform.io/hashicorp/aws` are one provider. */
export function normalizeProviderSource(source: string): string {
  const parts = source.trim().toLowerCase().split('/');
  if (parts.length === 2) return `registry.terraform.io/${parts.join('/')}`;
  return parts.join('/');
}

/** The blocks of one kind: hcl2json gives a list per label, JSON syntax may not. */
function bodies(value: unknown): Body[] {
  if (Array.isArray(value)) return value.filter(isBody);
  return isBody(value) ? [value] : [];
}

function isBody(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The expressions in a parsed body: hcl2json writes each as `${...}` inside a
 * string, object keys included (`{ (file("x")) = 1 }`). Literal text before a
 * string's first `${` or `%{` is data, not code.
 */
function* expressionsOf(value: unknown): Generator<string> {
  if (typeof value === 'string') {
    const starts = [value.indexOf('${'), value.indexOf('%{')].filter(
      index => index >= 0,
    );
    if (starts.length > 0) yield value.slice(Math.min(...starts));
  } else if (Array.isArray(value)) {
    for (const item of value) yield* expressionsOf(item);
  } else if (isBody(value)) {
    for (const [key, item] of Object.entries(value)) {
      yield* expressionsOf(key);
      yield* expressionsOf(item);
    }
  }
}

/** The text of a call's arguments, from just after `(` to its closing `)`. */
function callArguments(expression: string, start: number): string {
  let depth = 1;
  let inString = false;
  for (let i = start; i < expression.length; i++) {
    const char = expression[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '(') {
      depth++;
    } else if (char === ')') {
      depth--;
      if (depth === 0) return expression.slice(start, i);
    }
  }
  return expression.slice(start);
}

/** The top-level arguments in the text of a call's arguments. */
function splitArguments(args: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < args.length; i++) {
    const char = args[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if ('([{'.includes(char)) {
      depth++;
    } else if (')]}'.includes(char)) {
      depth--;
    } else if (char === ',' && depth === 0) {
      parts.push(args.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(args.slice(start).trim());
  return parts;
}

/**
 * The path after `path.module` of a path argument written out in full:
 * `path.module` or `"${path.module}/a/b.json"`, without `..` or the actions'
 * folder. A segment may also be one of `pathNames` (`${each.value}`), names
 * that hold a path fileset gave. Undefined when the argument could name any file.
 */
function modulePath(
  argument: string,
  pathNames: ReadonlySet<string>,
): string | undefined {
  if (argument === 'path.module' || argument === '"${path.module}"') {
    return '';
  }
  const match = /^"\$\{path\.module\}\/([^"\\]*)"$/.exec(argument);
  if (!match) return undefined;
  for (const segment of match[1].split('/')) {
    const name = /^\$\{([A-Za-z_][\w.-]*)\}$/.exec(segment)?.[1];
    const allowed =
      name !== undefined
        ? pathNames.has(name)
        : !/[$%]/.test(segment) &&
          segment !== '..' &&
          segment !== SKIPPED_DIRECTORY;
    if (!allowed) return undefined;
  }
  return match[1];
}

/**
 * A fileset pattern that stays in the read part of the module: a literal
 * without `..`. Under `path.module` itself, a pattern of several segments
 * starts with a fixed folder, so no wildcard reaches the actions' folder.
 */
function isSafeFilesetPattern(argument: string, atModuleRoot: boolean) {
  const match = /^"([^"\\$%]*)"$/.exec(argument);
  if (!match) return false;
  // fileset cleans the pattern: `./*/x` is `*/x`.
  const segments = match[1].split('/').filter(s => s !== '' && s !== '.');
  if (segments.some(s => s === '..' || s === SKIPPED_DIRECTORY)) return false;
  if (!atModuleRoot || segments.length === 0) return true;
  return segments.length === 1
    ? !segments[0].includes('**')
    : !/[*?[{\\]/.test(segments[0]);
}

/** Whether the text of a fileset call's arguments stays in the module. */
function isSafeFileset(args: string) {
  const [base, pattern, ...rest] = splitArguments(args);
  const baseUnderModule = modulePath(base, NO_PATH_NAMES);
  return (
    rest.length === 0 &&
    baseUnderModule !== undefined &&
    pattern !== undefined &&
    isSafeFilesetPattern(
      pattern,
      baseUnderModule.split('/').every(s => s === '' || s === '.'),
    )
  );
}

/**
 * Whether an expression is exactly a safe fileset call, as `for_each` of a
 * block whose `each.key` and `each.value` then hold paths under the module.
 */
function isFilesetExpression(expression: unknown) {
  if (typeof expression !== 'string') return false;
  const call = /^\$\{\s*fileset\s*\(/.exec(expression);
  if (!call) return false;
  const args = callArguments(expression, call[0].length);
  return (
    /^\)\s*\}$/.test(expression.slice(call[0].length + args.length)) &&
    isSafeFileset(args)
  );
}

/**
 * The names for expressions of `expression` bind to paths a safe fileset gave
 * (`for f in fileset(path.module, "x/*.json") : ...`), unless the same name is
 * also bound to anything else.
 */
function filesetForNames(expression: string): Set<string> {
  const fileset = new Set<string>();
  const other = new Set<string>();
  const binder =
    /\bfor\s+([A-Za-z_][\w-]*)(?:\s*,\s*([A-Za-z_][\w-]*))?\s+in\s+/g;
  for (const match of expression.matchAll(binder)) {
    const after = match.index! + match[0].length;
    const call = /^fileset\s*\(/.exec(expression.slice(after));
    let fromFileset = false;
    if (call) {
      const args = callArguments(expression, after + call[0].length);
      fromFileset =
        /^\)\s*:/.test(
          expression.slice(after + call[0].length + args.length),
        ) && isSafeFileset(args);
    }
    for (const name of [match[1], match[2]]) {
      if (name) (fromFileset ? fileset : other).add(name);
    }
  }
  for (const name of other) fileset.delete(name);
  return fileset;
}

/** The line of a block's header (or of an exact text) in the file, when it can be found. */
function lineOf(text: string, header: RegExp | string): number | undefined {
  const index =
    typeof header === 'string'
      ? text.indexOf(header)
      : header.exec(text)?.index;
  if (index === undefined || index < 0) return undefined;
  return text.slice(0, index).split('\n').length;
}

function escapeRegExp(value: string) {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function headerPattern(...labels: string[]) {
  const [keyword, ...rest] = labels;
  return new RegExp(
    `^[ \\t]*${escapeRegExp(keyword)}${rest
      .map(label => `\\s+"?${escapeRegExp(label)}"?`)
      .join('')}\\s*\\{`,
    'm',
  );
}

export interface ParsedFile {
  /** Relative to the checked directory. */
  file: string;
  /** The module directory, absolute. */
  directory: string;
  text: string;
  body: Body;
}

export async function listTerraformFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  const refuse = (file: string, block: string, reason: string) =>
    new TerraformPolicyError([{ file, block, reason }]);
  const walk = async (directory: string) => {
    for (const entry of await fs.readdir(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      const relative = path.relative(root, full);
      if (entry.isSymbolicLink()) {
        throw refuse(
          relative,
          'symlink',
          'is refused: a configuration may not link to files outside it',
        );
      }
      if (entry.isDirectory()) {
        if (!(directory === root && entry.name === SKIPPED_DIRECTORY)) {
          await walk(full);
        }
        continue;
      }
      // OpenTofu also reads .tofu files, in place of the .tf of the same name.
      if (/\.(tf|tofu)\.json$/.test(entry.name)) {
        throw refuse(
          relative,
          'file',
          'is refused: only HCL (.tf) configuration is accepted, not JSON syntax',
        );
      }
      if (/\.(tf|tofu)$/.test(entry.name)) {
        if (!entry.isFile()) {
          throw refuse(relative, 'file', 'is refused: not a regular file');
        }
        files.push(full);
        if (files.length > MAX_FILES) {
          throw new InputError(
            `The Terraform configuration has more than ${MAX_FILES} .tf files`,
          );
        }
      }
    }
  };
  await walk(root);
  return files.sort();
}

export async function parseFile(
  root: string,
  file: string,
): Promise<ParsedFile> {
  const relative = path.relative(root, file);
  const stat = await fs.stat(file);
  if (stat.size > MAX_FILE_BYTES) {
    throw new InputError(
      `${relative} is ${stat.size} bytes; at most ${MAX_FILE_BYTES} are accepted`,
    );
  }
  const text = await fs.readFile(file, 'utf8');
  let body: Body;
  try {
    body = (await parse(relative, text)) as Body;
  } catch (error) {
    // e.g. "parse config: [main.tf:3,5-10: Argument or block definition required; ...]"
    const message = String((error as Error).message)
      .replace(/^parse config: \[?/, '')
      .replace(/\]$/, '');
    const at = /^[^:]+:(\d+),\d+(?:-\d+(?:,\d+)?)?: /.exec(message);
    throw new TerraformPolicyError([
      {
        file: relative,
        line: at ? Number(at[1]) : undefined,
        block: 'the file',
        reason: `is not valid HCL: ${message
          .slice(at ? at[0].length : 0)
          .slice(0, 300)}`,
      },
    ]);
  }
  return { file: relative, directory: path.dirname(file), text, body };
}

/** The file functions a template read by templatefile calls. */
async function fileFunctionsOfTemplate(file: string): Promise<string[]> {
  const stat = await fs.lstat(file).catch(() => undefined);
  // A missing template is Terraform's error to report.
  if (!stat?.isFile()) return [];
  if (stat.size > MAX_FILE_BYTES) return ['(a template too large to check)'];
  const calls: string[] = [];
  for (const expression of expressionsOf(await fs.readFile(file, 'utf8'))) {
    for (const match of expression.matchAll(FILE_FUNCTIONS)) {
      calls.push(`${match[1]}()`);
    }
  }
  return calls;
}

/**
 * Checks every `.tf` file under `workingDirectory` (the root module and the
 * local modules in it) against the policy, before Terraform reads any of it.
 * Throws a {@link TerraformPolicyError} (an InputError) naming each refused
 * block with its file.
 */
export async function checkTerraformPolicy(
  workingDirectory: string,
  policy: TerraformContentPolicy,
): Promise<void> {
  const files = await Promise.all(
    (
      await listTerraformFiles(workingDirectory)
    ).map(file => parseFile(workingDirectory, file)),
  );
  const violations: PolicyViolation[] = [];
  const refuse = (
    parsed: ParsedFile,
    block: string,
    header: RegExp | string,
    reason: string,
  ) => {
    violations.push({
      file: parsed.file,
      line: lineOf(parsed.text, header),
      block,
      reason,
    });
  };
  const allowedProviders = new Set(
    policy.allowedProviders.map(normalizeProviderSource),
  );

  // Provider local names and their sources, per module directory.
  const sourcesByDirectory = new Map<string, Map<string, string>>();
  for (const parsed of files) {
    const sources =
      sourcesByDirectory.get(parsed.directory) ?? new Map<string, string>();
    sourcesByDirectory.set(parsed.directory, sources);
    for (const terraform of bodies(parsed.body.terraform)) {
      for (const required of bodies(terraform.required_providers)) {
        for (const [name, requirement] of Object.entries(required)) {
          const source =
            isBody(requirement) && typeof requirement.source === 'string'
              ? requirement.source
              : `hashicorp/${name}`;
          sources.set(name, source);
        }
      }
    }
  }

  for (const parsed of files) {
    const sources = sourcesByDirectory.get(parsed.directory)!;
    const checkProvider = (
      localName: string,
      block: string,
      header: RegExp,
    ) => {
      const declared = sources.get(localName);
      // Built in unless required_providers gives the name another source.
      if (
        BUILTIN_PROVIDERS.has(localName) &&
        (declared === undefined ||
          normalizeProviderSource(declared) ===
            `terraform.io/builtin/${localName}`)
      ) {
        return;
      }
      const source = declared ?? `hashicorp/${localName}`;
      if (!allowedProviders.has(normalizeProviderSource(source))) {
        refuse(
          parsed,
          block,
          header,
          `needs the provider ${source}, which is not in kler.terraform.allowedProviders (${policy.allowedProviders.join(
            ', ',
          )})`,
        );
      }
    };
    /** The provider local name a `provider = aws.east` meta-argument names. */
    const explicitProvider = (body: Body) =>
      typeof body.provider === 'string'
        ? /^\$\{([A-Za-z0-9_-]+)(\.|\})/.exec(body.provider)?.[1] ??
          body.provider.split('.')[0]
        : undefined;
    const refuseProvisioners = (body: Body, block: string, header: RegExp) => {
      for (const provisioners of bodies(body.provisioner)) {
        for (const provisioner of Object.keys(provisioners)) {
          refuse(
            parsed,
            `${block} provisioner "${provisioner}"`,
            header,
            'is refused: provisioners run programs on the host or on machines the configuration names',
          );
        }
      }
    };
    /** Settings of a provider or backend block, nested blocks included. */
    const refuseHostSettings = (
      body: Body,
      block: string,
      header: RegExp,
    ): void => {
      for (const [key, value] of Object.entries(body)) {
        if (HOST_SETTING.test(key)) {
          refuse(
            parsed,
            `${block} ${key}`,
            header,
            'is refused: it makes Terraform read a file of the host or run a program',
          );
        } else if (Array.isArray(value)) {
          for (const nested of bodies(value)) {
            refuseHostSettings(nested, block, header);
          }
        }
      }
    };
    /** Host files a resource or data source names by argument (aws_s3_object.source). */
    const refuseHostFileArguments = (
      body: Body,
      block: string,
      header: RegExp,
      pathNames: ReadonlySet<string>,
    ) => {
      for (const [key, value] of Object.entries(body)) {
        if (!HOST_FILE_ARGUMENT.test(key)) continue;
        for (const item of Array.isArray(value) ? value : [value]) {
          if (typeof item !== 'string' || isModuleFile(item, pathNames)) {
            continue;
          }
          refuse(
            parsed,
            `${block} ${key}`,
            header,
            `is refused: ${item.slice(
              0,
              80,
            )} may name any file of the host; files may be read only under path.module, by a path written out in full without ".."`,
          );
        }
      }
    };

    for (const terraform of bodies(parsed.body.terraform)) {
      for (const required of bodies(terraform.required_providers)) {
        for (const name of Object.keys(required)) {
          checkProvider(
            name,
            `required_providers ${name}`,
            new RegExp(`^[ \\t]*"?${escapeRegExp(name)}"?\\s*=`, 'm'),
          );
        }
      }
      const backends = isBody(terraform.backend) ? terraform.backend : {};
      for (const [type, value] of Object.entries(backends)) {
        const header = headerPattern('backend', type);
        if (!policy.allowedBackends.includes(type)) {
          refuse(
            parsed,
            `backend "${type}"`,
            header,
            `is not in kler.terraform.allowedBackends (${policy.allowedBackends.join(
              ', ',
            )})`,
          );
        }
        for (const body of bodies(value)) {
          refuseHostSettings(body, `backend "${type}"`, header);
        }
      }
      if (terraform.cloud !== undefined) {
        refuse(
          parsed,
          'cloud',
          headerPattern('cloud'),
          'is refused: runs go through the portal, not HCP Terraform',
        );
      }
    }

    const providers = isBody(parsed.body.provider) ? parsed.body.provider : {};
    for (const [name, value] of Object.entries(providers)) {
      const header = headerPattern('provider', name);
      checkProvider(name, `provider "${name}"`, header);
      for (const body of bodies(value)) {
        refuseHostSettings(body, `provider "${name}"`, header);
      }
    }

    /** Resources, data sources and ephemeral resources, at the top or in a check block. */
    const checkResources = (
      keyword: 'resource' | 'data' | 'ephemeral',
      byType: unknown,
    ) => {
      for (const [type, byName] of Object.entries(
        isBody(byType) ? byType : {},
      )) {
        for (const [name, value] of Object.entries(
          isBody(byName) ? byName : {},
        )) {
          const block = `${keyword} "${type}" "${name}"`;
          const header = headerPattern(keyword, type, name);
          if (keyword === 'data' && REFUSED_DATA_SOURCES[type]) {
            refuse(
              parsed,
              block,
              header,
              `is refused: it ${REFUSED_DATA_SOURCES[type]}`,
            );
            continue;
          }
          for (const body of bodies(value)) {
            checkProvider(
              explicitProvider(body) ?? type.split('_')[0],
              block,
              header,
            );
            refuseProvisioners(body, block, header);
            refuseHostFileArguments(body, block, header, eachPathNames(body));
          }
        }
      }
    };
    checkResources('resource', parsed.body.resource);
    checkResources('data', parsed.body.data);
    checkResources('ephemeral', parsed.body.ephemeral);
    const checks = isBody(parsed.body.check) ? parsed.body.check : {};
    for (const value of Object.values(checks)) {
      for (const body of bodies(value)) checkResources('data', body.data);
    }
    // Terraform runs the destroy-time provisioners of a removed block.
    for (const removed of bodies(parsed.body.removed)) {
      refuseProvisioners(removed, 'removed', headerPattern('removed'));
    }
    for (const imported of bodies(parsed.body.import)) {
      const provider = explicitProvider(imported);
      if (provider) checkProvider(provider, 'import', headerPattern('import'));
    }

    const modules = isBody(parsed.body.module) ? parsed.body.module : {};
    for (const [name, value] of Object.entries(modules)) {
      for (const body of bodies(value)) {
        const source = typeof body.source === 'string' ? body.source : '';
        const block = `module "${name}"`;
        const header = headerPattern('module', name);
        if (LOCAL_MODULE_SOURCE.test(source)) {
          const resolved = path.resolve(parsed.directory, source);
          const relative = path.relative(workingDirectory, resolved);
          if (relative.startsWith('..') || path.isAbsolute(relative)) {
            refuse(
              parsed,
              block,
              header,
              `has the source ${source}, which leaves the configuration's directory`,
            );
          } else if (relative.split(path.sep)[0] === SKIPPED_DIRECTORY) {
            refuse(
              parsed,
              block,
              header,
              `has the source ${source}, in ${SKIPPED_DIRECTORY}, which the policy does not read`,
            );
          }
        } else if (
          !policy.allowedModuleSources.some(prefix => source.startsWith(prefix))
        ) {
          refuse(
            parsed,
            block,
            header,
            `has the source ${
              source || '(none)'
            }, which is neither a local path nor in kler.terraform.allowedModuleSources`,
          );
        }
      }
    }

    const checkFileFunctions = async (
      value: unknown,
      blockPathNames: ReadonlySet<string>,
    ) => {
      for (const expression of expressionsOf(value)) {
        const pathNames = new Set([
          ...blockPathNames,
          ...filesetForNames(expression),
        ]);
        for (const match of expression.matchAll(FILE_FUNCTIONS)) {
          const rawArgs = callArguments(
            expression,
            match.index! + match[0].length,
          );
          const args = rawArgs.trim();
          const block = `${match[1]}(${args.slice(0, 80)})`;
          // The call as written; hcl2json keeps the text of expressions.
          const call = `${match[0]}${rawArgs}`;
          const header = parsed.text.includes(call)
            ? call
            : new RegExp(`\\b${match[1]}\\s*\\(`);
          const [first] = splitArguments(args);
          let problem: string | undefined;
          if (match[1] === 'fileset') {
            if (!isSafeFileset(args)) {
              problem =
                'is refused: fileset may list files only under path.module, with a fixed pattern without ".." (several segments start with a fixed folder)';
            }
          } else if (match[1] === 'templatefile') {
            const template = modulePath(first, NO_PATH_NAMES);
            if (!template) {
              problem =
                'is refused: templatefile needs a fixed path under path.module without "..", so the policy can read the template';
            } else {
              const calls = await fileFunctionsOfTemplate(
                path.join(parsed.directory, template),
              );
              if (calls.length > 0) {
                problem = `is refused: the template calls ${calls.join(
                  ', ',
                )}, and a template may not read files`;
              }
            }
          } else if (modulePath(first, pathNames) === undefined) {
            problem =
              'is refused: files may be read only under path.module, by a path written out in full without ".." (or a path fileset gave)';
          }
          if (problem) refuse(parsed, block, header, problem);
        }
      }
    };
    for (const [key, value] of Object.entries(parsed.body)) {
      if (key === 'resource' || key === 'data' || key === 'module') {
        // A block with `for_each = fileset(...)` may read `${each.value}`.
        for (const byName of Object.values(isBody(value) ? value : {})) {
          const blocks =
            key === 'module'
              ? bodies(byName)
              : Object.values(isBody(byName) ? byName : {}).flatMap(bodies);
          for (const body of blocks) {
            await checkFileFunctions(body, eachPathNames(body));
          }
        }
      } else {
        await checkFileFunctions(value, NO_PATH_NAMES);
      }
    }
  }

  if (violations.length > 0) {
    throw new TerraformPolicyError(violations);
  }
}

/** `each.key` and `each.value` of a block whose `for_each` is a safe fileset. */
function eachPathNames(body: Body): ReadonlySet<string> {
  return isFilesetExpression(body.for_each)
    ? new Set(['each.key', 'each.value'])
    : NO_PATH_NAMES;
}

/**
 * Whether the value of a host-file argument names a file in the checked
 * directory: under `path.module` as for the file functions, or a literal
 * path relative to the root module without `..` (Terraform runs there).
 */
function isModuleFile(value: string, pathNames: ReadonlySet<string>) {
  if (modulePath(`"${value}"`, pathNames) !== undefined) return true;
  if (/[$%\\]/.test(value) || path.isAbsolute(value) || value.startsWith('~')) {
    return false;
  }
  const segments = value.split('/');
  return !segments.includes('..') && !segments.includes(SKIPPED_DIRECTORY);
}
