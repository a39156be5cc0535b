#!/usr/bin/env node
/*
 * Writes src/schema/aws-provider-schema.json: the names of every resource
 * type, data source, ephemeral resource and provider setting of the AWS
 * provider, with their arguments and nested blocks, taken from the bindings
 * that @cdktn/provider-aws generated from the provider's own schema
 * (`terraform providers schema -json`). Only names are kept, so the backend
 * can check a configuration at run time without the 470 MB package.
 *
 *   node scripts/generate-aws-schema.mjs           write the artifact
 *   node scripts/generate-aws-schema.mjs --stdout  print it instead
 *
 * A block is written as one string: names separated by spaces, a nested
 * block as `name{...}` around its own contents, e.g.
 * `encrypted kms_key_id lifecycle_policy{transition_to_ia} timeouts{create}`,
 * and `name^N` for a block that is its enclosing block at depth N.
 * src/schema/awsProviderSchema.test.ts runs this script with --stdout and
 * fails when the committed artifact differs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const PACKAGE = '@cdktn/provider-aws';
const moduleRoot = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
);
const ARTIFACT = path.join(moduleRoot, 'src/schema/aws-provider-schema.json');

/** The binding classes, by what they are in Terraform. */
const KINDS = {
  TerraformResource: 'resources',
  TerraformDataSource: 'dataSources',
  TerraformEphemeralResource: 'ephemeralResources',
  TerraformProvider: 'provider',
};

/** Folders of the package that hold no block: provider-defined functions. */
const NOT_BLOCKS = new Set(['provider-functions']);

/**
 * One entry of an `attrs` object in a `synthesizeHclAttributes` method or a
 * `...ToHclTerraform(struct)` function: its name, the value expression (which
 * names the function of a nested block) and whether it is a block.
 */
const ATTRIBUTE =
  /\n[ \t]+"?(\w+)"?: \{\n[ \t]+value: (.*),\n[ \t]+isBlock: (true|false),\n[ \t]+type: "(\w+)",/g;

/** The function that synthesizes a nested block, not a cdktn helper. */
const BLOCK_FUNCTION = /(?<!cdktn\.)\b([A-Za-z]\w*ToHclTerraform)\b/g;

function packageDirectory() {
  const require = createRequire(path.join(moduleRoot, 'package.json'));
  // main is lib/index.js
  return path.dirname(path.dirname(require.resolve(PACKAGE)));
}

/** The `attrs` entries of one synthesizing body, checked to be all of them. */
function attributesOf(body, where) {
  const attributes = [...body.matchAll(ATTRIBUTE)].map(match => ({
    name: match[1],
    value: match[2],
    isBlock: match[3] === 'true',
    type: match[4],
  }));
  const expected = body.match(/\bisBlock: /g)?.length ?? 0;
  if (attributes.length !== expected) {
    throw new Error(
      `${where}: read ${attributes.length} of ${expected} attributes; the bindings' layout changed`,
    );
  }
  return attributes;
}

/** The text from `start` to the line that closes it at the given indent. */
function bodyFrom(text, start, indent, where) {
  const end = text.indexOf(`\n${indent}}\n`, start);
  if (end < 0) throw new Error(`${where}: no end of body`);
  return text.slice(start, end);
}

/** Reads one binding's folder (index.js and its index-structs/*.js). */
function readBinding(directory) {
  const files = [path.join(directory, 'index.js')];
  const structs = path.join(directory, 'index-structs');
  if (fs.existsSync(structs)) {
    for (const name of fs.readdirSync(structs).sort()) {
      if (name.endsWith('.js')) files.push(path.join(structs, name));
    }
  }
  const functions = new Map();
  let binding;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(
      /\nfunction (\w+ToHclTerraform)\(struct\) \{/g,
    )) {
      functions.set(match[1], bodyFrom(text, match.index, '', file));
    }
    const type = /\bclass \w+ extends \w+\.(Terraform\w+) \{/.exec(text);
    if (type && KINDS[type[1]]) {
      const name = /\btfResourceType = ["'](\w+)["'];/.exec(text)?.[1];
      const synthesize = text.indexOf('\n    synthesizeHclAttributes() {');
      if (!name || synthesize < 0) {
        throw new Error(
          `${file}: no tfResourceType or synthesizeHclAttributes`,
        );
      }
      binding = {
        kind: KINDS[type[1]],
        name,
        body: bodyFrom(text, synthesize, '    ', file),
      };
    }
  }
  if (!binding) throw new Error(`${directory}: no Terraform class`);
  return { ...binding, functions };
}

/**
 * One block's names in the artifact's notation, nested blocks recursively.
 * `enclosing` holds the functions of the enclosing blocks: the bindings reuse a
 * block's function for a block of the same shape inside it (wafv2's
 * `statement { and_statement { statement { ... } } }`), written `name^N`:
 * the same block as the enclosing one at depth N (the type itself is 0).
 */
function encodeBlock(body, functions, where, enclosing = []) {
  const items = [];
  for (const attribute of attributesOf(body, where)) {
    // A map of objects (`x = { key = { ... } }`) is an argument: its keys are free.
    if (!attribute.isBlock || attribute.type === 'map') {
      items.push(attribute.name);
      continue;
    }
    const calls = [...attribute.value.matchAll(BLOCK_FUNCTION)].map(
      match => match[1],
    );
    const nested = functions.get(calls[0]);
    if (calls.length !== 1 || nested === undefined) {
      throw new Error(
        `${where} ${attribute.name}: no function for the block in ${attribute.value}`,
      );
    }
    const depth = enclosing.indexOf(calls[0]);
    if (depth >= 0) {
      items.push(`${attribute.name}^${depth + 1}`);
      continue;
    }
    const inner = encodeBlock(nested, functions, `${where} ${attribute.name}`, [
      ...enclosing,
      calls[0],
    ]);
    items.push(`${attribute.name}{${inner}}`);
  }
  return items.sort().join(' ');
}

function sortedObject(entries) {
  const names = new Set(entries.map(([name]) => name));
  if (names.size !== entries.length) throw new Error('a type name repeats');
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The artifact, from the package installed beside this module. */
function generateAwsSchema() {
  const root = packageDirectory();
  const manifest = JSON.parse(
    fs.readFileSync(path.join(root, 'package.json'), 'utf8'),
  );
  const lib = path.join(root, 'lib');
  const byKind = {
    resources: [],
    dataSources: [],
    ephemeralResources: [],
    provider: [],
  };
  for (const entry of fs.readdirSync(lib, { withFileTypes: true })) {
    if (!entry.isDirectory() || NOT_BLOCKS.has(entry.name)) continue;
    const binding = readBinding(path.join(lib, entry.name));
    byKind[binding.kind].push([
      binding.name,
      encodeBlock(binding.body, binding.functions, binding.name),
    ]);
  }
  if (byKind.provider.length !== 1) {
    throw new Error(`expected one provider, found ${byKind.provider.length}`);
  }
  return {
    source: `${manifest.name}@${manifest.version}`,
    provider: manifest.cdktf.provider.name,
    version: manifest.cdktf.provider.version,
    providerConfig: byKind.provider[0][1],
    resources: sortedObject(byKind.resources),
    dataSources: sortedObject(byKind.dataSources),
    ephemeralResources: sortedObject(byKind.ephemeralResources),
  };
}

// JSON.stringify's layout is Prettier's for this shape: one line per type.
const text = `${JSON.stringify(generateAwsSchema(), null, 2)}\n`;
if (process.argv.includes('--stdout')) {
  process.stdout.write(text);
} else {
  fs.writeFileSync(ARTIFACT, text);
  process.stderr.write(
    `wrote ${path.relative(process.cwd(), ARTIFACT)} (${text.length} bytes)\n`,
  );
}
