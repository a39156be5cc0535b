import { wildcardMatches } from '@kler/plugin-environments-common';
import { TerraformResource, addressOf, blocksOf } from './configuration';
import { ConfigurationEvaluator } from './evaluation';
import { referencedResources, refersTo } from './references';
import { UnknownValue, Value, isObject, sameValue } from './values';
import {
  ReviewFinding,
  ReviewRule,
  about,
  attributeOf,
  createdResources,
  describeValue,
  listOf,
} from './reviewRule';

/** The stateful resources the review expects a backup selection to cover, with their ARNs' start. */
const STATEFUL_ARN_PREFIXES: Record<string, string> = {
  aws_efs_file_system: 'arn:aws:elasticfilesystem:',
  aws_db_instance: 'arn:aws:rds:',
  aws_rds_cluster: 'arn:aws:rds:',
  aws_dynamodb_table: 'arn:aws:dynamodb:',
  aws_ebs_volume: 'arn:aws:ec2:',
};

const TAG_KEY_PREFIX = 'aws:ResourceTag/';

/** Three-valued logic: undefined is "cannot tell". */
function all(values: Array<boolean | undefined>): boolean | undefined {
  if (values.includes(false)) return false;
  return values.includes(undefined) ? undefined : true;
}

function any(values: Array<boolean | undefined>): boolean | undefined {
  if (values.includes(true)) return true;
  return values.includes(undefined) ? undefined : false;
}

/**
 * The tags a resource carries: the root module's default `aws` provider's
 * `default_tags` merged with its own `tags`. Unknown when either is.
 */
function tagsOf(
  evaluator: ConfigurationEvaluator,
  resource: TerraformResource,
): Value {
  const defaults = evaluator.configuration.providers
    .filter(
      provider =>
        provider.module === '' &&
        provider.name === 'aws' &&
        !('alias' in provider.attributes),
    )
    .flatMap(provider => blocksOf(provider.attributes, 'default_tags'))
    .map(block => evaluator.evaluate('', block.tags ?? {}));
  const own = attributeOf(evaluator, resource, 'tags') ?? {};
  const parts = [...defaults, own];
  if (!parts.every(isObject)) {
    return new UnknownValue('tags', resource.module);
  }
  return Object.fromEntries(parts.flatMap(part => Object.entries(part)));
}

interface Verdict {
  selects: boolean | undefined;
  /** Why it does not select the resource, when it does not. */
  reason?: string;
}

/** Whether a tag condition holds for the tags, with why not. */
function tagCondition(
  operator: string,
  key: Value,
  expected: Value,
  tags: Value,
): Verdict {
  if (typeof key !== 'string') return { selects: undefined };
  const name = key.startsWith(TAG_KEY_PREFIX)
    ? key.slice(TAG_KEY_PREFIX.length)
    : key;
  let actual: Value | undefined;
  if (isObject(tags)) {
    actual = Object.prototype.hasOwnProperty.call(tags, name)
      ? tags[name]
      : undefined;
  } else {
    return { selects: undefined };
  }
  let equal: boolean | undefined;
  if (actual === undefined) {
    equal = false;
  } else if (operator.endsWith('like')) {
    equal =
      typeof actual === 'string' && typeof expected === 'string'
        ? wildcardMatches(expected, actual)
        : undefined;
  } else {
    equal = sameValue(actual, expected);
  }
  const negated = operator.includes('not');
  const selects = equal === undefined ? undefined : equal !== negated;
  return {
    selects,
    reason:
      selects === false
        ? `${negated ? 'excludes' : 'needs'} the tag ${name} ${
            operator.endsWith('like') ? 'like' : '='
          } ${describeValue(expected)}, and it has ${
            actual === undefined ? 'no such tag' : describeValue(actual)
          }`
        : undefined,
  };
}

/**
 * Whether a backup selection selects a resource, as AWS Backup combines a
 * selection's parts: (`resources` and every `condition`) or any
 * `selection_tag`, minus `not_resources`.
 */
function selectionVerdict(
  evaluator: ConfigurationEvaluator,
  selection: TerraformResource,
  resource: TerraformResource,
  tags: Value,
): Verdict {
  const { module, attributes } = selection;
  if (
    refersTo(
      evaluator.configuration,
      module,
      attributes.not_resources,
      resource,
    )
  ) {
    return { selects: false, reason: 'lists it in not_resources' };
  }
  let byResources: Verdict = { selects: false, reason: 'has no resources' };
  const referenced = referencedResources(
    evaluator.configuration,
    module,
    attributes.resources,
  );
  if (
    refersTo(evaluator.configuration, module, attributes.resources, resource)
  ) {
    byResources = { selects: true };
  } else if ('resources' in attributes) {
    const patterns = evaluator.evaluate(module, attributes.resources);
    const prefix = STATEFUL_ARN_PREFIXES[resource.type];
    // Values it cannot work out are the ARNs of the resources the list
    // refers to, when it refers to some (and not to this one).
    const unknownItem = referenced.size > 0 ? false : undefined;
    const matches = (Array.isArray(patterns) ? patterns : [patterns]).map(
      pattern =>
        typeof pattern === 'string'
          ? pattern === '*' ||
            (pattern.startsWith(prefix) && pattern.includes('*'))
          : unknownItem,
    );
    const selects = any(matches);
    byResources = {
      selects,
      reason:
        selects === false
          ? `does not list it in resources (${describeValue(patterns)})`
          : undefined,
    };
  }
  const conditions = blocksOf(attributes, 'condition').flatMap(condition =>
    [
      'string_equals',
      'string_like',
      'string_not_equals',
      'string_not_like',
    ].flatMap(operator =>
      blocksOf(condition, operator).map(test =>
        tagCondition(
          operator,
          evaluator.evaluate(module, test.key),
          evaluator.evaluate(module, test.value),
          tags,
        ),
      ),
    ),
  );
  const byConditions = [byResources, ...conditions];
  const selectedByConditions = all(byConditions.map(v => v.selects));
  const selectionTags = blocksOf(attributes, 'selection_tag').map(tag => {
    const type = evaluator.evaluate(module, tag.type);
    return type === 'STRINGEQUALS'
      ? tagCondition(
          'string_equals',
          evaluator.evaluate(module, tag.key),
          evaluator.evaluate(module, tag.value),
          tags,
        )
      : { selects: undefined };
  });
  const selects = any([
    selectedByConditions,
    ...selectionTags.map(v => v.selects),
  ]);
  const reasons = [...byConditions, ...selectionTags]
    .map(verdict => verdict.reason)
    .filter((reason): reason is string => reason !== undefined);
  return {
    selects,
    reason: selects === false ? reasons.join('; ') : undefined,
  };
}

/**
 * `backup-selection-missing-resource`: a stateful resource (EFS file
 * system, RDS instance or cluster, DynamoDB table, EBS volume) that no
 * `aws_backup_selection` of the configuration selects, by a reference to it
 * in `resources` (through variables and module outputs), an ARN pattern of
 * its service, `*`, or tag conditions matching the tags it carries (its
 * `tags` and the provider's `default_tags`).
 *
 * Resources a count of 0 leaves out are not checked. When tags or the
 * selection's values are expressions it cannot work out, it says it cannot
 * tell (a warning). It does not check that the selection's plan runs, nor
 * that the backup role may read the resource.
 */
export const backupSelectionMissingResource: ReviewRule = {
  id: 'backup-selection-missing-resource',
  checks:
    'Every stateful resource (EFS, RDS, DynamoDB, EBS volume) is selected by an aws_backup_selection, by reference or by tags',
  review(configuration) {
    const evaluator = new ConfigurationEvaluator(configuration);
    const selections = createdResources(evaluator, 'aws_backup_selection');
    const findings: ReviewFinding[] = [];
    for (const resource of createdResources(
      evaluator,
      ...Object.keys(STATEFUL_ARN_PREFIXES),
    )) {
      if (
        resource.type === 'aws_db_instance' &&
        'cluster_identifier' in resource.attributes
      ) {
        // Aurora backs up the cluster, not its instances.
        continue;
      }
      const address = addressOf(resource);
      const fix = `Tag ${address} with the tags a selection selects (e.g. "kler:backup" = "true"), or add ${address}.arn to a selection's resources`;
      if (selections.length === 0) {
        findings.push({
          severity: 'error',
          ...about(resource),
          message: `${address} is stateful and the configuration has no aws_backup_selection: it is never backed up`,
          fix: `Add an aws_backup_plan and an aws_backup_selection that selects ${address}`,
        });
        continue;
      }
      const tags = tagsOf(evaluator, resource);
      const verdicts = selections.map(selection => ({
        selection,
        ...selectionVerdict(evaluator, selection, resource, tags),
      }));
      const covered = any(verdicts.map(verdict => verdict.selects));
      if (covered === true) continue;
      if (covered === undefined) {
        findings.push({
          severity: 'warning',
          ...about(resource),
          message: `The review cannot tell whether ${listOf(
            verdicts
              .filter(verdict => verdict.selects === undefined)
              .map(verdict => addressOf(verdict.selection)),
          )} selects ${address}: its tags or the selection's values are expressions it cannot work out`,
          fix,
        });
        continue;
      }
      findings.push({
        severity: 'error',
        ...about(resource),
        message: `${address} is stateful and no backup selection selects it: ${verdicts
          .map(verdict => `${addressOf(verdict.selection)} ${verdict.reason}`)
          .join('; ')}`,
        fix,
      });
    }
    return findings;
  },
};

export const backupRules: ReviewRule[] = [backupSelectionMissingResource];
