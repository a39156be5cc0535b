import committedArtifact from './aws-provider-schema.json';

/** The names a block of the AWS provider accepts: no types, no docs. */
export interface AwsBlockSchema {
  /** Argument names, including optional computed ones such as `id`. */
  arguments: ReadonlySet<string>;
  /** Nested block types by name; a block may contain itself (wafv2 statements). */
  blocks: ReadonlyMap<string, AwsBlockSchema>;
}

/** What a block type of the provider is in Terraform. */
export type AwsBlockKind = 'resource' | 'data' | 'ephemeral';

/**
 * The committed artifact, as `scripts/generate-aws-schema.mjs` writes it:
 * each block is one string of names, `name{...}` for a nested block and
 * `name^N` for the enclosing block at depth N (the type itself is 0).
 */
export interface AwsProviderSchemaArtifact {
  /** The npm package it was generated from, with its version. */
  source: string;
  /** e.g. `registry.terraform.io/hashicorp/aws`. */
  provider: string;
  /** The provider version whose schema the package was generated from. */
  version: string;
  providerConfig: string;
  resources: Record<string, string>;
  dataSources: Record<string, string>;
  ephemeralResources: Record<string, string>;
}

const ARTIFACT_KEYS: Record<AwsBlockKind, keyof AwsProviderSchemaArtifact> = {
  resource: 'resources',
  data: 'dataSources',
  ephemeral: 'ephemeralResources',
};

/** Reads one block of the artifact's notation. */
export function parseBlockNotation(notation: string): AwsBlockSchema {
  const top = newBlock();
  const stack = [top];
  const pattern = /([A-Za-z0-9_-]+)(\{|\^(\d+))?|(\})|(\S)/g;
  for (const match of notation.matchAll(pattern)) {
    const [, name, opening, depth, closing, unexpected] = match;
    const current = stack[stack.length - 1];
    if (unexpected !== undefined || (closing && stack.length === 1)) {
      throw new Error(
        `Unexpected "${match[0]}" at ${match.index} of a block notation`,
      );
    }
    if (closing) {
      stack.pop();
    } else if (opening === '{') {
      const nested = newBlock();
      current.blocks.set(name, nested);
      stack.push(nested);
    } else if (depth !== undefined) {
      const enclosing = stack[Number(depth)];
      if (!enclosing) {
        throw new Error(`${name}^${depth} names no enclosing block`);
      }
      current.blocks.set(name, enclosing);
    } else {
      current.arguments.add(name);
    }
  }
  if (stack.length !== 1) throw new Error('A block notation is not closed');
  return top;
}

function newBlock(): {
  arguments: Set<string>;
  blocks: Map<string, AwsBlockSchema>;
} {
  return { arguments: new Set(), blocks: new Map() };
}

/**
 * The names of the AWS provider's resource types, data sources, ephemeral
 * resources and provider settings, with their arguments and nested blocks.
 * Each type's notation is read on first use.
 */
export class AwsProviderSchema {
  private readonly parsed = new Map<string, AwsBlockSchema>();

  constructor(private readonly artifact: AwsProviderSchemaArtifact) {}

  /** e.g. `registry.terraform.io/hashicorp/aws`. */
  get provider(): string {
    return this.artifact.provider;
  }

  /** The provider version the names come from, e.g. `6.66.0`. */
  get version(): string {
    return this.artifact.version;
  }

  /** The npm package the names were generated from. */
  get source(): string {
    return this.artifact.source;
  }

  /** The block of a resource type, data source or ephemeral resource; undefined when unknown. */
  block(kind: AwsBlockKind, type: string): AwsBlockSchema | undefined {
    const notations = this.artifact[ARTIFACT_KEYS[kind]] as Record<
      string,
      string
    >;
    if (!Object.prototype.hasOwnProperty.call(notations, type)) {
      return undefined;
    }
    return this.read(`${kind} ${type}`, notations[type]);
  }

  /** Every type name of a kind, e.g. every resource type. */
  typeNames(kind: AwsBlockKind): string[] {
    return Object.keys(this.artifact[ARTIFACT_KEYS[kind]]);
  }

  /** The settings of a `provider "aws"` block. */
  providerConfig(): AwsBlockSchema {
    return this.read('provider', this.artifact.providerConfig);
  }

  private read(key: string, notation: string): AwsBlockSchema {
    let block = this.parsed.get(key);
    if (!block) {
      block = parseBlockNotation(notation);
      this.parsed.set(key, block);
    }
    return block;
  }
}

let committed: AwsProviderSchema | undefined;

/** The schema committed in this package (see `scripts/generate-aws-schema.mjs`). */
export function getAwsProviderSchema(): AwsProviderSchema {
  committed ??= new AwsProviderSchema(committedArtifact);
  return committed;
}
