/**
 * Refuses reading files of the host: the file functions (`file`, `fileset`,
 * `templatefile`...) and the arguments that name a file for the provider to
 * read (`aws_s3_object.source`) may only reach files under `path.module`, by
 * a path written out in full without `..` or the actions' folder, so a
 * configuration cannot read the backend's own files. A template that
 * `templatefile` reads may not read files itself.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { MAX_FILE_BYTES, ParsedFile, SKIPPED_DIRECTORY } from './files';
import {
  bodies,
  Body,
  callArguments,
  expressionsOf,
  isBody,
  splitArguments,
} from './hcl';
import { PolicyViolation } from './types';
import { refusal } from './violations';

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

/** Names a path argument may use beside `path.module`: none. */
const NO_PATH_NAMES: ReadonlySet<string> = new Set();

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

/** Host files a resource or data source names by argument (aws_s3_object.source). */
export function hostFileArgumentViolations(
  parsed: ParsedFile,
  body: Body,
  block: string,
  header: RegExp,
): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  const pathNames = eachPathNames(body);
  for (const [key, value] of Object.entries(body)) {
    if (!HOST_FILE_ARGUMENT.test(key)) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item !== 'string' || isModuleFile(item, pathNames)) {
        continue;
      }
      violations.push(
        refusal(
          parsed,
          `${block} ${key}`,
          header,
          `is refused: ${item.slice(
            0,
            80,
          )} may name any file of the host; files may be read only under path.module, by a path written out in full without ".."`,
        ),
      );
    }
  }
  return violations;
}

/** The file function calls in the expressions of `value`. */
async function fileCallViolations(
  parsed: ParsedFile,
  value: unknown,
  blockPathNames: ReadonlySet<string>,
): Promise<PolicyViolation[]> {
  const violations: PolicyViolation[] = [];
  for (const expression of expressionsOf(value)) {
    const pathNames = new Set([
      ...blockPathNames,
      ...filesetForNames(expression),
    ]);
    for (const match of expression.matchAll(FILE_FUNCTIONS)) {
      const rawArgs = callArguments(expression, match.index! + match[0].length);
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
      if (problem) violations.push(refusal(parsed, block, header, problem));
    }
  }
  return violations;
}

/** The file function calls anywhere in a file, in the order of its blocks. */
export async function fileFunctionViolations(
  parsed: ParsedFile,
): Promise<PolicyViolation[]> {
  const violations: PolicyViolation[] = [];
  for (const [key, value] of Object.entries(parsed.body)) {
    if (key === 'resource' || key === 'data' || key === 'module') {
      // A block with `for_each = fileset(...)` may read `${each.value}`.
      for (const byName of Object.values(isBody(value) ? value : {})) {
        const blocks =
          key === 'module'
            ? bodies(byName)
            : Object.values(isBody(byName) ? byName : {}).flatMap(bodies);
        for (const body of blocks) {
          violations.push(
            ...(await fileCallViolations(parsed, body, eachPathNames(body))),
          );
        }
      }
    } else {
      violations.push(
        ...(await fileCallViolations(parsed, value, NO_PATH_NAMES)),
      );
    }
  }
  return violations;
}
