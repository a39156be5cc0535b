import { normalizeProviderSource } from '../terraform/policy';
import {
  AwsBlockKind,
  AwsBlockSchema,
  AwsProviderSchema,
  getAwsProviderSchema,
} from './awsProviderSchema';

/** One `.tf` file parsed with `@cdktf/hcl2json`, as `parseFile` of the policy gives it. */
export interface AwsSchemaCheckedFile {
  /** Relative to the checked directory. */
  file: string;
  /** The module directory: `required_providers` counts per module. */
  directory: string;
  text: string;
  body: Record<string, unknown>;
}

/** A name the AWS provider does not know. */
export interface AwsSchemaProblem {
  file: string;
  /** The line of the name, or of its block's header when the name cannot be found. */
  line?: number;
  /** The top-level block, e.g. `resource "aws_efs_file_system" "data"`. */
  block: string;
  message: string;
}

type Body = Record<string, unknown>;

/** Meta-arguments and meta-blocks Terraform handles itself, by block kind (`lifecycle` is checked apart). */
const META_ARGUMENTS: Record<AwsBlockKind | 'provider', ReadonlySet<string>> = {
  resource: new Set([
    'count',
    'for_each',
    'depends_on',
    'provider',
    'lifecycle',
    'provisioner',
    'connection',
  ]),
  data: new Set(['count', 'for_each', 'depends_on', 'provider', 'lifecycle']),
  ephemeral: new Set([
    'count',
    'for_each',
    'depends_on',
    'provider',
    'lifecycle',
  ]),
  provider: new Set(['alias', 'version']),
};

/**
 * What a `lifecycle` block may hold, in Terraform (`action_trigger` since
 * 1.14) and OpenTofu (`enabled` since 1.11), which the actions may run.
 */
const LIFECYCLE_ARGUMENTS = new Set([
  'create_before_destroy',
  'prevent_destroy',
  'ignore_changes',
  'replace_triggered_by',
  'precondition',
  'postcondition',
  'action_trigger',
  'enabled',
]);

/** What a `dynamic "x"` block may hold besides its `content`. */
const DYNAMIC_ARGUMENTS = new Set([
  'for_each',
  'iterator',
  'labels',
  'content',
]);

const AWS_SOURCE = 'registry.terraform.io/hashicorp/aws';

/** Top-level keywords of blocks with a type of a provider. */
const TYPED_KEYWORDS: AwsBlockKind[] = ['resource', 'data', 'ephemeral'];

const NOUNS: Record<AwsBlockKind, string> = {
  resource: 'a resource type',
  data: 'a data source',
  ephemeral: 'an ephemeral resource type',
};

const NO_META_ARGUMENTS: ReadonlySet<string> = new Set();

/** Where a top-level block starts in its file. */
interface Header {
  index: number;
  /** Where the block ends, for searches inside it. */
  end: number;
  /** Undefined when the header cannot be found. */
  line?: number;
}

/** A checked top-level block: how problems name it, and where it starts. */
interface TopBlock {
  block: string;
  header: Header;
}

/**
 * Finds lines in a file's text: a top-level block's header as the policy
 * does, and a name inside the block by following its path of nested blocks
 * from the header. A name that cannot be found gets the line of the closest
 * enclosing block found.
 */
class Locator {
  constructor(private readonly text: string) {}

  header(...labels: string[]): Header {
    const [keyword, ...rest] = labels;
    const match = new RegExp(
      `^[ \\t]*${escapeRegExp(keyword)}${rest
        .map(label => `\\s+"?${escapeRegExp(label)}"?`)
        .join('')}\\s*\\{`,
      'm',
    ).exec(this.text);
    if (!match) return { index: 0, end: this.text.length };
    // `terraform fmt` closes a top-level block with `}` at the start of a line.
    const close = this.text.indexOf('\n}', match.index);
    return {
      index: match.index,
      end: close < 0 ? this.text.length : close,
      line: this.lineAt(match.index),
    };
  }

  /** The line of the last step of `path` (a name, or `dynamic "x"`) under a header. */
  line(header: Header, path: string[]): number | undefined {
    if (header.line === undefined) return undefined;
    let index = header.index;
    for (const step of path) {
      const dynamic = /^dynamic "(.*)"$/.exec(step);
      const pattern = new RegExp(
        dynamic
          ? `^[ \\t]*dynamic\\s+"?${escapeRegExp(dynamic[1])}"?\\s*\\{`
          : `^[ \\t]*"?${escapeRegExp(step)}"?\\s*(=|\\{|")`,
        'gm',
      );
      pattern.lastIndex = this.text.indexOf('\n', index) + 1;
      const match = pattern.exec(this.text);
      if (!match || match.index > header.end) break;
      index = match.index;
    }
    return this.lineAt(index);
  }

  private lineAt(index: number) {
    return this.text.slice(0, index).split('\n').length;
  }
}

/** Checks the AWS blocks of one file, adding to `problems`. */
class FileChecker {
  private readonly locator: Locator;
  private readonly ofProvider: string;

  constructor(
    private readonly parsed: AwsSchemaCheckedFile,
    private readonly schema: AwsProviderSchema,
    /** The provider local names that mean hashicorp/aws in the file's module. */
    private readonly awsNames: ReadonlySet<string>,
    private readonly problems: AwsSchemaProblem[],
  ) {
    this.locator = new Locator(parsed.text);
    this.ofProvider = `in the AWS provider ${schema.version}`;
  }

  check() {
    const { body } = this.parsed;
    for (const keyword of TYPED_KEYWORDS) {
      this.checkTypedBlocks(keyword, body[keyword]);
    }
    // Data sources scoped to a check block.
    for (const [, check] of entriesOf(body.check)) {
      for (const checkBlock of bodiesOf(check)) {
        this.checkTypedBlocks('data', checkBlock.data);
      }
    }
    for (const [name, value] of entriesOf(body.provider)) {
      if (!this.awsNames.has(name)) continue;
      const top: TopBlock = {
        block: `provider "${name}"`,
        header: this.locator.header('provider', name),
      };
      for (const settings of bodiesOf(value)) {
        this.checkBody(
          top,
          settings,
          this.schema.providerConfig(),
          `provider "${name}"`,
          [],
          META_ARGUMENTS.provider,
        );
      }
    }
  }

  /** `resource`, `data` or `ephemeral` blocks, by type and name. */
  private checkTypedBlocks(keyword: AwsBlockKind, byType: unknown) {
    for (const [type, byName] of entriesOf(byType)) {
      for (const [name, value] of entriesOf(byName)) {
        for (const body of bodiesOf(value)) {
          this.checkTypedBlock(keyword, type, name, body);
        }
      }
    }
  }

  private checkTypedBlock(
    keyword: AwsBlockKind,
    type: string,
    name: string,
    body: Body,
  ) {
    if (!type.startsWith('aws_')) return;
    if (!this.awsNames.has(explicitProvider(body) ?? 'aws')) return;
    const top: TopBlock = {
      block: `${keyword} "${type}" "${name}"`,
      header: this.locator.header(keyword, type, name),
    };
    const typeSchema = this.schema.block(keyword, type);
    if (!typeSchema) {
      this.report(
        top,
        [],
        `${type} is not ${NOUNS[keyword]} ${this.ofProvider}${didYouMean(
          type,
          this.schema.typeNames(keyword),
        )}`,
      );
      return;
    }
    this.checkBody(top, body, typeSchema, type, [], META_ARGUMENTS[keyword]);
    this.checkLifecycle(top, body);
  }

  /**
   * Checks each name of `body` against `blockSchema`. hcl2json writes
   * `x = [{ ... }]` and `x { ... }` alike, so a known argument's value is
   * never read as a block; a known block's bodies are checked in turn.
   */
  private checkBody(
    top: TopBlock,
    body: Body,
    blockSchema: AwsBlockSchema,
    where: string,
    path: string[],
    metaArguments: ReadonlySet<string> = NO_META_ARGUMENTS,
  ): void {
    for (const [key, value] of Object.entries(body)) {
      if (metaArguments.has(key) || blockSchema.arguments.has(key)) continue;
      if (key === 'dynamic' && isBody(value)) {
        for (const [name, dynamicValue] of Object.entries(value)) {
          this.checkDynamic(top, name, dynamicValue, blockSchema, where, path);
        }
        continue;
      }
      const nested = blockSchema.blocks.get(key);
      if (!nested) {
        this.report(
          top,
          [...path, key],
          `"${key}" is not an argument or block of ${where} ${
            this.ofProvider
          }${didYouMean(key, [
            ...blockSchema.arguments,
            ...blockSchema.blocks.keys(),
          ])}`,
        );
        continue;
      }
      for (const nestedBody of bodiesOf(value)) {
        this.checkBody(top, nestedBody, nested, `${where}.${key}`, [
          ...path,
          key,
        ]);
      }
    }
  }

  /** `dynamic "name" { for_each = ..., content { ... } }`: the name, its own arguments, the content. */
  private checkDynamic(
    top: TopBlock,
    name: string,
    value: unknown,
    blockSchema: AwsBlockSchema,
    where: string,
    path: string[],
  ) {
    const dynamicPath = [...path, `dynamic "${name}"`];
    const nested = blockSchema.blocks.get(name);
    if (!nested) {
      // A block the bindings know only as an argument (wafv2 `statement`) is not checked inside.
      if (!blockSchema.arguments.has(name)) {
        this.report(
          top,
          dynamicPath,
          `dynamic "${name}": "${name}" is not a block of ${where} ${
            this.ofProvider
          }${didYouMean(name, blockSchema.blocks.keys())}`,
        );
      }
      return;
    }
    for (const dynamicBody of bodiesOf(value)) {
      for (const key of Object.keys(dynamicBody)) {
        if (!DYNAMIC_ARGUMENTS.has(key)) {
          this.report(
            top,
            [...dynamicPath, key],
            `"${key}" is not an argument of dynamic "${name}" (it takes ${[
              ...DYNAMIC_ARGUMENTS,
            ].join(', ')})${didYouMean(key, DYNAMIC_ARGUMENTS)}`,
          );
        }
      }
      for (const content of bodiesOf(dynamicBody.content)) {
        this.checkBody(top, content, nested, `${where}.${name}`, [
          ...dynamicPath,
          'content',
        ]);
      }
    }
  }

  private checkLifecycle(top: TopBlock, body: Body) {
    for (const lifecycle of bodiesOf(body.lifecycle)) {
      for (const key of Object.keys(lifecycle)) {
        if (!LIFECYCLE_ARGUMENTS.has(key)) {
          this.report(
            top,
            ['lifecycle', key],
            `"${key}" is not an argument or block of lifecycle${didYouMean(
              key,
              LIFECYCLE_ARGUMENTS,
            )}`,
          );
        }
      }
    }
  }

  private report(top: TopBlock, path: string[], message: string) {
    this.problems.push({
      file: this.parsed.file,
      line: this.locator.line(top.header, path),
      block: top.block,
      message,
    });
  }
}

/**
 * Checks the names in the `aws_*` resources, data sources, ephemeral
 * resources and `provider "aws"` blocks of a configuration against the AWS
 * provider's schema: unknown types, and unknown arguments or nested blocks at
 * any depth (`dynamic` blocks included), each with the closest known name.
 * Blocks of other providers, `terraform_data` and module inputs are not
 * checked. Names only: values, types and required arguments are left to
 * `terraform validate`.
 */
export function checkAwsSchema(
  files: AwsSchemaCheckedFile[],
  schema: AwsProviderSchema = getAwsProviderSchema(),
): AwsSchemaProblem[] {
  const problems: AwsSchemaProblem[] = [];
  const awsNamesByDirectory = awsLocalNames(files);
  for (const parsed of files) {
    new FileChecker(
      parsed,
      schema,
      awsNamesByDirectory.get(parsed.directory)!,
      problems,
    ).check();
  }
  // In reading order: hcl2json sorts each body's names.
  return problems.sort((a, b) => {
    if (a.file !== b.file) return a.file < b.file ? -1 : 1;
    return (a.line ?? Infinity) - (b.line ?? Infinity);
  });
}

/**
 * The provider local names that mean hashicorp/aws, per module directory:
 * `aws` unless `required_providers` gives it another source, and any name
 * `required_providers` gives the source hashicorp/aws.
 */
function awsLocalNames(
  files: AwsSchemaCheckedFile[],
): Map<string, Set<string>> {
  const sourcesByDirectory = new Map<string, Map<string, string>>();
  for (const parsed of files) {
    const sources =
      sourcesByDirectory.get(parsed.directory) ?? new Map<string, string>();
    sourcesByDirectory.set(parsed.directory, sources);
    for (const terraform of bodiesOf(parsed.body.terraform)) {
      for (const required of bodiesOf(terraform.required_providers)) {
        for (const [name, requirement] of Object.entries(required)) {
          const source =
            isBody(requirement) && typeof requirement.source === 'string'
              ? requirement.source
              : `hashicorp/${name}`;
          sources.set(name, normalizeProviderSource(source));
        }
      }
    }
  }
  const names = new Map<string, Set<string>>();
  for (const [directory, sources] of sourcesByDirectory) {
    const aws = new Set<string>();
    if (!sources.has('aws')) aws.add('aws');
    for (const [name, source] of sources) {
      if (source === AWS_SOURCE) aws.add(name);
    }
    names.set(directory, aws);
  }
  return names;
}

/** The provider local name a `provider = aws.east` meta-argument names. */
function explicitProvider(body: Body): string | undefined {
  return typeof body.provider === 'string'
    ? /^\$\{([A-Za-z0-9_-]+)(\.|\})/.exec(body.provider)?.[1] ??
        body.provider.split('.')[0]
    : undefined;
}

function isBody(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The blocks of one kind: hcl2json gives a list of bodies. */
function bodiesOf(value: unknown): Body[] {
  if (Array.isArray(value)) return value.filter(isBody);
  return isBody(value) ? [value] : [];
}

function entriesOf(value: unknown): Array<[string, unknown]> {
  return isBody(value) ? Object.entries(value) : [];
}

function escapeRegExp(value: string) {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** ` (did you mean "x"?)` for the closest known name, if one is close enough. */
function didYouMean(name: string, known: Iterable<string>): string {
  const limit = Math.max(2, Math.floor(name.length / 4));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    if (Math.abs(candidate.length - name.length) >= bestDistance) continue;
    const distance = editDistance(name, candidate);
    if (
      distance < bestDistance ||
      (distance === bestDistance && best !== undefined && candidate < best)
    ) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

/**
 * Optimal string alignment distance: insertions, deletions, substitutions
 * and swaps of two neighbouring characters (`actoin`) each count one.
 */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => {
    const row = new Array<number>(b.length + 1).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(
        rows[i - 1][j] + 1,
        rows[i][j - 1] + 1,
        rows[i - 1][j - 1] + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
      }
    }
  }
  return rows[a.length][b.length];
}
