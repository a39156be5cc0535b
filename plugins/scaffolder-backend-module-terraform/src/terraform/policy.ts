import { InputError } from '@backstage/errors';
import { parse } from '@cdktf/hcl2json';
import fs from 'node:fs/promises';
import path from 'node:path';

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

/** Directories the policy does not read: Terraform's and the actions' own. */
const SKIPPED_DIRECTORIES = new Set(['.terraform', '.kler-terraform', '.git']);

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
 * Functions that read files of the host. Allowed only on paths under
 * `path.module`, so a configuration cannot read the backend's own files.
 */
const FILE_FUNCTIONS =
  /\b(file|fileexists|fileset|filebase64|filemd5|filesha1|filesha256|filesha512|filebase64sha256|filebase64sha512|templatefile)\s*\(/g;

/** A local module source. */
const LOCAL_MODULE_SOURCE = /^\.\.?\//;

type Body = Record<string, unknown>;

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

/** Every string in a parsed body: where expressions are. */
function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') {
    yield value;
  } else if (Array.isArray(value)) {
    for (const item of value) yield* strings(item);
  } else if (isBody(value)) {
    for (const item of Object.values(value)) yield* strings(item);
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

/** The line of a block's header in the file's text, when it can be found. */
function lineOf(text: string, header: RegExp): number | undefined {
  const match = header.exec(text);
  if (!match) return undefined;
  return text.slice(0, match.index).split('\n').length;
}

function escapeRegExp(value: string) {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function headerPattern(...labels: string[]) {
  const [keyword, ...rest] = labels;
  return new RegExp(
    `^\\s*${escapeRegExp(keyword)}${rest
      .map(label => `\\s+"?${escapeRegExp(label)}"?`)
      .join('')}\\s*\\{`,
    'm',
  );
}

interface ParsedFile {
  /** Relative to the checked directory. */
  file: string;
  /** The module directory, absolute. */
  directory: string;
  text: string;
  body: Body;
}

async function listTerraformFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (directory: string) => {
    for (const entry of await fs.readdir(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      const relative = path.relative(root, full);
      if (entry.isSymbolicLink()) {
        throw new TerraformPolicyError([
          {
            file: relative,
            block: 'symlink',
            reason:
              'is refused: a configuration may not link to files outside it',
          },
        ]);
      }
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) await walk(full);
        continue;
      }
      if (entry.name.endsWith('.tf.json')) {
        throw new TerraformPolicyError([
          {
            file: relative,
            block: 'file',
            reason:
              'is refused: only HCL (.tf) configuration is accepted, not JSON syntax',
          },
        ]);
      }
      if (entry.name.endsWith('.tf')) {
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

async function parseFile(root: string, file: string): Promise<ParsedFile> {
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
    header: RegExp,
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
    const checkProvider = (localName: string, block: string, header: RegExp) => {
      if (BUILTIN_PROVIDERS.has(localName)) return;
      const source = sources.get(localName) ?? `hashicorp/${localName}`;
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

    for (const terraform of bodies(parsed.body.terraform)) {
      for (const required of bodies(terraform.required_providers)) {
        for (const name of Object.keys(required)) {
          checkProvider(
            name,
            `required_providers ${name}`,
            new RegExp(`^\\s*"?${escapeRegExp(name)}"?\\s*=`, 'm'),
          );
        }
      }
      const backends = isBody(terraform.backend)
        ? Object.keys(terraform.backend)
        : [];
      for (const type of backends) {
        if (!policy.allowedBackends.includes(type)) {
          refuse(
            parsed,
            `backend "${type}"`,
            headerPattern('backend', type),
            `is not in kler.terraform.allowedBackends (${policy.allowedBackends.join(
              ', ',
            )})`,
          );
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

    for (const name of Object.keys(isBody(parsed.body.provider) ? (parsed.body.provider as Body) : {})) {
      checkProvider(name, `provider "${name}"`, headerPattern('provider', name));
    }

    for (const [mode, keyword] of [
      ['resource', 'resource'],
      ['data', 'data'],
    ] as const) {
      const byType = isBody(parsed.body[mode]) ? (parsed.body[mode] as Body) : {};
      for (const [type, byName] of Object.entries(byType)) {
        for (const [name, value] of Object.entries(
          isBody(byName) ? byName : {},
        )) {
          const block = `${keyword} "${type}" "${name}"`;
          const header = headerPattern(keyword, type, name);
          if (mode === 'data' && REFUSED_DATA_SOURCES[type]) {
            refuse(
              parsed,
              block,
              header,
              `is refused: it ${REFUSED_DATA_SOURCES[type]}`,
            );
            continue;
          }
          for (const body of bodies(value)) {
            const explicit =
              typeof body.provider === 'string'
                ? /^\$\{([A-Za-z0-9_-]+)(\.|\})/.exec(body.provider)?.[1] ??
                  body.provider.split('.')[0]
                : undefined;
            checkProvider(explicit ?? type.split('_')[0], block, header);
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
          }
        }
      }
    }

    const modules = isBody(parsed.body.module) ? (parsed.body.module as Body) : {};
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

    for (const expression of strings(parsed.body)) {
      for (const match of expression.matchAll(FILE_FUNCTIONS)) {
        const args = callArguments(
          expression,
          match.index! + match[0].length,
        ).trim();
        const underModule =
          (args.startsWith('path.module') ||
            args.startsWith('"${path.module}/')) &&
          !args.includes('..');
        if (!underModule) {
          refuse(
            parsed,
            `${match[1]}(${args.slice(0, 80)})`,
            new RegExp(`\\b${match[1]}\\s*\\(`),
            'is refused: files may be read only under path.module',
          );
        }
      }
    }
  }

  if (violations.length > 0) {
    throw new TerraformPolicyError(violations);
  }
}
