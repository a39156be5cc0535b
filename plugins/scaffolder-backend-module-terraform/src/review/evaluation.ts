import {
  TerraformConfiguration,
  TerraformResource,
  callsOfModule,
  isBody,
} from './configuration';
import { HCL_FUNCTIONS, applyOperator } from './hclFunctions';
import { HclNode, parseTemplate } from './hclExpressions';
import {
  UnknownValue,
  Value,
  hasOwn,
  isObject,
  ownValue,
  sameValue,
} from './values';

export interface EvaluationOptions {
  /**
   * Evaluates as if the root module's `tier` variable had this value: rules
   * about production ask what a production run gets, whatever the values
   * file says.
   */
  tier?: string;
}

/** Names bound by for-expressions around the node being evaluated. */
type Scope = ReadonlyMap<string, Value>;

const NO_SCOPE: Scope = new Map();

/** Deepest chain of references followed: a bound on the work and on cycles. */
const MAX_DEPTH = 40;

/**
 * Works out what the configuration's expressions are worth where that is
 * possible without AWS: literals, operators, conditionals, for-expressions
 * over known collections, a few functions (merge, length, keys, ...), and
 * references to variables (the values file, a module call's argument, a
 * default), locals and local modules' outputs. Everything else (resource
 * attributes, data sources, `count.index`, other functions) is an
 * {@link UnknownValue}. Deterministic and without I/O; nothing is cached.
 */
export class ConfigurationEvaluator {
  private readonly resolving = new Set<string>();

  constructor(
    readonly configuration: TerraformConfiguration,
    private readonly options: EvaluationOptions = {},
  ) {}

  /** The value of an attribute as hcl2json gave it, in a module's scope. */
  evaluate(module: string, raw: unknown): Value {
    return this.evaluateRaw(module, raw, NO_SCOPE);
  }

  /** The value of a root or module variable, as Terraform would give it. */
  variable(module: string, name: string): Value {
    const unknown = new UnknownValue(`var.${name}`, module);
    const key = `${module}|var.${name}`;
    if (this.resolving.has(key) || this.resolving.size > MAX_DEPTH) {
      return unknown;
    }
    const declaration = this.configuration.variables.find(
      variable => variable.module === module && variable.name === name,
    );
    if (!declaration) return unknown;
    this.resolving.add(key);
    try {
      const fallback = () =>
        declaration.hasDefault
          ? this.evaluate(module, declaration.default)
          : unknown;
      if (module === '') {
        if (name === 'tier' && this.options.tier !== undefined) {
          return this.options.tier;
        }
        const values = this.configuration.variableValues?.values;
        // The values file is data: its strings are never templates.
        return values && hasOwn(values, name)
          ? (values[name] as Value)
          : fallback();
      }
      const calls = callsOfModule(this.configuration, module);
      if (calls.length === 0) return unknown;
      const given = calls.map(call =>
        hasOwn(call.attributes, name)
          ? this.evaluate(call.module, call.attributes[name])
          : fallback(),
      );
      // Several calls: a value only when they all give the same.
      return given.length === 1 ||
        given.every(value => sameValue(value, given[0]) === true)
        ? given[0]
        : unknown;
    } finally {
      this.resolving.delete(key);
    }
  }

  /** The value of `local.<name>` in a module. */
  local(module: string, name: string): Value {
    const key = `${module}|local.${name}`;
    const local = this.configuration.locals.find(
      candidate => candidate.module === module && candidate.name === name,
    );
    if (!local || this.resolving.has(key) || this.resolving.size > MAX_DEPTH) {
      return new UnknownValue(`local.${name}`, module);
    }
    this.resolving.add(key);
    try {
      return this.evaluate(module, local.value);
    } finally {
      this.resolving.delete(key);
    }
  }

  /**
   * Whether a resource is certainly not created: its `count` is 0, or each
   * call of its module (or of a module around it) has a `count` of 0 or an
   * empty `for_each`. A module no call reaches counts as created.
   */
  isNeverCreated(resource: TerraformResource): boolean {
    const none = (module: string, attributes: Record<string, unknown>) => {
      const count =
        'count' in attributes
          ? this.evaluate(module, attributes.count)
          : undefined;
      const forEach =
        'for_each' in attributes
          ? this.evaluate(module, attributes.for_each)
          : undefined;
      return (
        count === 0 ||
        (Array.isArray(forEach) && forEach.length === 0) ||
        (isObject(forEach) && Object.keys(forEach).length === 0)
      );
    };
    if (none(resource.module, resource.attributes)) return true;
    const moduleNeverCalled = (module: string, depth: number): boolean => {
      if (module === '' || depth > MAX_DEPTH) return false;
      const calls = callsOfModule(this.configuration, module);
      return (
        calls.length > 0 &&
        calls.every(
          call =>
            none(call.module, call.attributes) ||
            moduleNeverCalled(call.module, depth + 1),
        )
      );
    };
    return moduleNeverCalled(resource.module, 0);
  }

  private evaluateRaw(module: string, raw: unknown, scope: Scope): Value {
    if (typeof raw === 'string') {
      return this.evaluateNode(module, parseTemplate(raw), scope);
    }
    if (Array.isArray(raw)) {
      return raw.map(item => this.evaluateRaw(module, item, scope));
    }
    if (isBody(raw)) {
      return Object.fromEntries(
        Object.entries(raw).map(([key, value]) => [
          key,
          this.evaluateRaw(module, value, scope),
        ]),
      );
    }
    return raw === undefined ? null : (raw as Value);
  }

  /** The value of a parsed expression in a module's scope. */
  evaluateNode(module: string, node: HclNode, scope: Scope = NO_SCOPE): Value {
    const unknown = () => new UnknownValue(node.text, module);
    const evaluate = (child: HclNode) =>
      this.evaluateNode(module, child, scope);
    switch (node.kind) {
      case 'literal':
        return node.value;
      case 'template': {
        const parts = node.parts.map(part =>
          typeof part === 'string' ? part : evaluate(part),
        );
        return parts.every(
          part =>
            typeof part === 'string' ||
            typeof part === 'number' ||
            typeof part === 'boolean',
        )
          ? parts.join('')
          : unknown();
      }
      case 'name':
        return scope.has(node.name) ? scope.get(node.name)! : unknown();
      case 'attribute':
      case 'index': {
        // null is a value here (a variable whose default is null).
        const value = this.reference(module, node, scope);
        return value === undefined ? unknown() : value;
      }
      case 'call': {
        const fn = hasOwn(HCL_FUNCTIONS, node.name)
          ? HCL_FUNCTIONS[node.name]
          : undefined;
        const args = node.args.map(evaluate);
        const result =
          fn && !args.some(arg => arg instanceof UnknownValue)
            ? fn(args)
            : undefined;
        return result === undefined ? unknown() : result;
      }
      case 'unary': {
        const operand = evaluate(node.operand);
        if (node.op === '!' && typeof operand === 'boolean') return !operand;
        if (node.op === '-' && typeof operand === 'number') return -operand;
        return unknown();
      }
      case 'binary':
        return (
          applyOperator(node.op, evaluate(node.left), evaluate(node.right)) ??
          unknown()
        );
      case 'conditional': {
        const test = evaluate(node.test);
        if (typeof test !== 'boolean') return unknown();
        return evaluate(test ? node.then : node.otherwise);
      }
      case 'tuple':
        return node.items.map(evaluate);
      case 'object': {
        const entries: Array<[string, Value]> = [];
        for (const entry of node.entries) {
          const key = evaluate(entry.key);
          if (typeof key !== 'string' && typeof key !== 'number') {
            return unknown();
          }
          entries.push([String(key), evaluate(entry.value)]);
        }
        return Object.fromEntries(entries);
      }
      case 'for':
        return this.forExpression(module, node, scope) ?? unknown();
      default:
        return unknown();
    }
  }

  /** `var.x.y`, `local.x["k"]`, `module.m.out`, `each.value.x`: undefined when unknown. */
  private reference(
    module: string,
    node: HclNode,
    scope: Scope,
  ): Value | undefined {
    const chain: Step[] = [];
    let root: HclNode = node;
    while (root.kind === 'attribute' || root.kind === 'index') {
      chain.unshift(
        root.kind === 'attribute'
          ? { attribute: root.name }
          : { index: this.evaluateNode(module, root.key, scope) },
      );
      root = root.object;
    }
    if (root.kind !== 'name') {
      return walk(this.evaluateNode(module, root, scope), chain);
    }
    if (scope.has(root.name)) return walk(scope.get(root.name)!, chain);
    const [first, ...rest] = chain;
    if (!first || !('attribute' in first)) return undefined;
    const name = first.attribute;
    if (root.name === 'var') return walk(this.variable(module, name), rest);
    if (root.name === 'local') return walk(this.local(module, name), rest);
    if (root.name === 'module') {
      // module.<name>[<key>].<output>: the same output of every instance.
      const [output, ...path] =
        rest[0] && 'index' in rest[0] ? rest.slice(1) : rest;
      if (!output || !('attribute' in output)) return undefined;
      const value = this.moduleOutput(module, name, output.attribute);
      return value === undefined ? undefined : walk(value, path);
    }
    return undefined;
  }

  private moduleOutput(
    module: string,
    call: string,
    name: string,
  ): Value | undefined {
    const target = this.configuration.moduleCalls.find(
      candidate => candidate.module === module && candidate.name === call,
    )?.target;
    const output = this.configuration.outputs.find(
      candidate => candidate.module === target && candidate.name === name,
    );
    const key = `${target}|output.${name}`;
    if (
      target === undefined ||
      !output ||
      this.resolving.has(key) ||
      this.resolving.size > MAX_DEPTH
    ) {
      return undefined;
    }
    this.resolving.add(key);
    try {
      return this.evaluate(target, output.value);
    } finally {
      this.resolving.delete(key);
    }
  }

  private forExpression(
    module: string,
    node: Extract<HclNode, { kind: 'for' }>,
    scope: Scope,
  ): Value | undefined {
    const collection = this.evaluateNode(module, node.collection, scope);
    let pairs: Array<[Value, Value]>;
    if (Array.isArray(collection)) {
      pairs = collection.map((item, index) => [index, item]);
    } else if (isObject(collection)) {
      pairs = Object.keys(collection)
        .sort()
        .map(key => [key, collection[key]]);
    } else {
      return undefined;
    }
    const results: Array<[Value, Value]> = [];
    for (const [key, value] of pairs) {
      const inner = new Map(scope);
      if (node.keyName) inner.set(node.keyName, key);
      inner.set(node.valueName, value);
      if (node.condition) {
        const keep = this.evaluateNode(module, node.condition, inner);
        if (typeof keep !== 'boolean') return undefined;
        if (!keep) continue;
      }
      results.push([
        node.key ? this.evaluateNode(module, node.key, inner) : key,
        this.evaluateNode(module, node.value, inner),
      ]);
    }
    if (!node.key) return results.map(([, value]) => value);
    if (results.some(([key]) => typeof key !== 'string')) return undefined;
    return Object.fromEntries(results);
  }
}

/** One step of a reference: `.name` or `[key]`. */
type Step = { attribute: string } | { index: Value };

/** Follows a reference's steps into a value; undefined when they lead nowhere known. */
function walk(value: Value, steps: Step[]): Value | undefined {
  let current: Value | undefined = value;
  for (const step of steps) {
    const key = 'attribute' in step ? step.attribute : step.index;
    if (Array.isArray(current) && typeof key === 'number') {
      current = current[key];
    } else if (
      isObject(current) &&
      (typeof key === 'string' || typeof key === 'number')
    ) {
      current = ownValue(current, String(key));
    } else {
      return undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}
