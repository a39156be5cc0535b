import {
  BlockLocation,
  HclBody,
  TerraformConfiguration,
  TerraformResource,
  addressOf,
  bodiesOf,
  resourcesOfType,
} from './configuration';
import { ConfigurationEvaluator } from './evaluation';
import { UnknownValue, Value, isObject } from './values';

/**
 * One finding of the review, in the shape of the problems
 * `kler:terraform:check` reports (`source`, `severity`, `file`, `line`,
 * `message`), with the rule, the resource and a proposed fix.
 */
export interface ReviewProblem {
  source: 'review';
  /** The rule's id, e.g. `efs-policy-denies-mounts`. */
  rule: string;
  severity: 'error' | 'warning';
  /** Relative to the reviewed directory. */
  file?: string;
  line?: number;
  /** What the problem is about, e.g. `aws_lb_listener.http` or `var.services`. */
  resource: string;
  /** Names the resource and says what is wrong and why it matters. */
  message: string;
  /** What to change, in Terraform. */
  fix: string;
}

/** What a rule found: a problem without the rule's id. */
export interface ReviewFinding {
  severity: ReviewProblem['severity'];
  at: BlockLocation;
  resource: string;
  message: string;
  fix: string;
}

/** A pure check of a configuration: no I/O, no clock. */
export interface ReviewRule {
  id: string;
  /** What the rule checks, in a line (the README's table). */
  checks: string;
  review(configuration: TerraformConfiguration): ReviewFinding[];
}

/** Runs rules over a configuration; the problems in file and line order. */
export function runReviewRules(
  configuration: TerraformConfiguration,
  rules: ReviewRule[],
): ReviewProblem[] {
  return rules
    .flatMap(rule =>
      rule.review(configuration).map(finding => reviewProblem(rule, finding)),
    )
    .sort(
      (a, b) =>
        (a.file ?? '').localeCompare(b.file ?? '') ||
        (a.line ?? 0) - (b.line ?? 0) ||
        a.rule.localeCompare(b.rule),
    );
}

function reviewProblem(
  rule: ReviewRule,
  { severity, at, resource, message, fix }: ReviewFinding,
): ReviewProblem {
  return {
    source: 'review',
    rule: rule.id,
    severity,
    file: at.file,
    ...(at.line !== undefined && { line: at.line }),
    resource,
    message,
    fix,
  };
}

/** The tier the values file gives the environment (`tier`), if any. */
export function knownTier(
  configuration: TerraformConfiguration,
): string | undefined {
  const tier = configuration.variableValues?.values.tier;
  return typeof tier === 'string' ? tier : undefined;
}

/**
 * An evaluator for rules about production: evaluates `var.tier` as
 * `production`. Undefined when the values file says the environment is of
 * another tier, so those rules do not apply.
 */
export function productionEvaluator(
  configuration: TerraformConfiguration,
): ConfigurationEvaluator | undefined {
  const tier = knownTier(configuration);
  if (tier !== undefined && tier !== 'production') return undefined;
  return new ConfigurationEvaluator(configuration, { tier: 'production' });
}

/** "in production", or "in production (the tier is not known, ...)". */
export function productionWording(configuration: TerraformConfiguration) {
  return knownTier(configuration) === 'production'
    ? 'in this production environment'
    : 'in production (no tier in terraform.tfvars.json: reviewed as production)';
}

/** The resources of the types that the configuration may create. */
export function createdResources(
  evaluator: ConfigurationEvaluator,
  ...types: string[]
): TerraformResource[] {
  return resourcesOfType(evaluator.configuration, ...types).filter(
    resource => !evaluator.isNeverCreated(resource),
  );
}

/**
 * The nested blocks `name` of a resource's body that may exist: the static
 * ones and the contents of `dynamic "name"` blocks whose `for_each` is not
 * certainly empty.
 */
export function presentBlocks(
  evaluator: ConfigurationEvaluator,
  module: string,
  body: HclBody,
  name: string,
): HclBody[] {
  const dynamic = bodiesOf(body.dynamic)
    .flatMap(byName => bodiesOf(byName[name]))
    .filter(block => {
      const forEach = evaluator.evaluate(module, block.for_each);
      return !(
        (Array.isArray(forEach) && forEach.length === 0) ||
        (isObject(forEach) && Object.keys(forEach).length === 0)
      );
    })
    .flatMap(block => bodiesOf(block.content));
  return [...bodiesOf(body[name]), ...dynamic];
}

/** Where a resource is and its address, for {@link reviewProblem}. */
export function about(resource: TerraformResource) {
  return { at: resource, resource: addressOf(resource) };
}

/** `true` as Terraform reads a bool: the literal or the string "true". */
export function isTrue(value: Value | undefined) {
  return value === true || value === 'true';
}

/** `false`, `"false"` or nothing (the attribute is not set, or null). */
export function isOffOrUnset(value: Value | undefined) {
  return (
    value === undefined ||
    value === null ||
    value === false ||
    value === 'false'
  );
}

/** A value for a message: `"HTTP"`, `80`, or the expression that could not be worked out. */
export function describeValue(value: Value | undefined): string {
  if (value === undefined) return 'not set';
  if (value instanceof UnknownValue) return value.expression;
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  if (isObject(value)) {
    return `{ ${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)} = ${describeValue(item)}`)
      .join(', ')} }`;
  }
  return JSON.stringify(value);
}

/** The value of a resource's attribute, `undefined` when it is not set. */
export function attributeOf(
  evaluator: ConfigurationEvaluator,
  resource: { module: string; attributes: Record<string, unknown> },
  name: string,
): Value | undefined {
  return Object.prototype.hasOwnProperty.call(resource.attributes, name)
    ? evaluator.evaluate(resource.module, resource.attributes[name])
    : undefined;
}

/** `a`, `a and b`, `a, b and c`. */
export function listOf(items: string[]) {
  return items.length <= 1
    ? items.join('')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
