import {
  TerraformConfiguration,
  TerraformResource,
  addressOf,
  callsOfModule,
  isBody,
} from './configuration';
import { HclNode, forEachChild, parseTemplate } from './hclExpressions';
import { hasOwn } from './values';

/** The resources found so far, and the variables, locals and outputs followed. */
interface ReferenceSearch {
  configuration: TerraformConfiguration;
  found: Set<string>;
  followed: Set<string>;
}

/**
 * The resources an expression refers to, through variables, locals and
 * local modules' outputs: `var.file_system_arn` in a module reaches
 * `aws_efs_file_system.this` of another when the module call passes
 * `module.efs.arn` and that output is `aws_efs_file_system.this.arn`.
 */
export function referencedResources(
  configuration: TerraformConfiguration,
  module: string,
  raw: unknown,
): Set<string> {
  const search: ReferenceSearch = {
    configuration,
    found: new Set(),
    followed: new Set(),
  };
  collectReferences(search, module, raw);
  return search.found;
}

function collectReferences(
  search: ReferenceSearch,
  module: string,
  raw: unknown,
) {
  if (typeof raw === 'string') {
    collectNodeReferences(search, module, parseTemplate(raw));
  } else if (Array.isArray(raw)) {
    raw.forEach(item => collectReferences(search, module, item));
  } else if (isBody(raw)) {
    Object.values(raw).forEach(item => collectReferences(search, module, item));
  }
}

/** Follows a variable, local or output once, by a key naming it. */
function followReference(
  search: ReferenceSearch,
  key: string,
  module: string,
  raw: unknown,
) {
  if (search.followed.has(key)) return;
  search.followed.add(key);
  collectReferences(search, module, raw);
}

function collectNodeReferences(
  search: ReferenceSearch,
  module: string,
  node: HclNode,
): void {
  const names: string[] = [];
  let root: HclNode = node;
  while (root.kind === 'attribute' || root.kind === 'index') {
    if (root.kind === 'attribute') names.unshift(root.name);
    else collectNodeReferences(search, module, root.key);
    root = root.object;
  }
  if (root.kind !== 'name' || node === root) {
    forEachChild(root, child => collectNodeReferences(search, module, child));
    return;
  }
  // module.<name>[<key>].<output>: the index is not among the names.
  const [first, second] = names;
  if (root.name === 'var') {
    for (const call of callsOfModule(search.configuration, module)) {
      if (hasOwn(call.attributes, first)) {
        followReference(
          search,
          `${call.module}|${call.name}|${first}`,
          call.module,
          call.attributes[first],
        );
      }
    }
  } else if (root.name === 'local') {
    const local = search.configuration.locals.find(
      candidate => candidate.module === module && candidate.name === first,
    );
    if (local) {
      followReference(search, `${module}|local.${first}`, module, local.value);
    }
  } else if (root.name === 'module') {
    const target = search.configuration.moduleCalls.find(
      call => call.module === module && call.name === first,
    )?.target;
    const output = search.configuration.outputs.find(
      candidate => candidate.module === target && candidate.name === second,
    );
    if (target !== undefined && output) {
      followReference(
        search,
        `${target}|output.${second}`,
        target,
        output.value,
      );
    }
  } else if (root.name === 'data' && second) {
    search.found.add(`${module}|data.${first}.${second}`);
  } else if (first && /^[a-z][a-z0-9]*_/.test(root.name)) {
    search.found.add(`${module}|${root.name}.${first}`);
  }
}

/** Whether an expression refers to a resource (see {@link referencedResources}). */
export function refersTo(
  configuration: TerraformConfiguration,
  module: string,
  raw: unknown,
  resource: TerraformResource,
) {
  return referencedResources(configuration, module, raw).has(
    `${resource.module}|${addressOf(resource)}`,
  );
}
