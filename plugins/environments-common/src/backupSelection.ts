import {
  BackupPlan,
  BackupSelectionCriteria,
  BackupTagCondition,
} from './types';

/** A resource as a backup selection sees it: its ARN and, when known, its tags. */
export interface BackupSelectable {
  resourceArn: string;
  tags?: Record<string, string>;
}

/**
 * Whether `value` matches `pattern` as AWS Backup matches ARNs and tag values
 * (`Resources`, `NotResources`, `StringLike`): `*` matches any characters,
 * everything else literally.
 *
 * @public
 */
export function wildcardMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) {
    return pattern === value;
  }
  const escaped = pattern
    .split('*')
    .map(part => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`, 's').test(value);
}

function tagOf(resource: BackupSelectable, condition: BackupTagCondition) {
  return resource.tags?.[condition.key];
}

function conditionsHold(
  conditions: BackupSelectionCriteria['conditions'],
  resource: BackupSelectable,
): boolean {
  return (
    conditions.stringEquals.every(c => tagOf(resource, c) === c.value) &&
    conditions.stringLike.every(c => {
      const value = tagOf(resource, c);
      return value !== undefined && wildcardMatches(c.value, value);
    }) &&
    conditions.stringNotEquals.every(c => tagOf(resource, c) !== c.value) &&
    conditions.stringNotLike.every(c => {
      const value = tagOf(resource, c);
      return value === undefined || !wildcardMatches(c.value, value);
    })
  );
}

function hasConditions(conditions: BackupSelectionCriteria['conditions']) {
  return Object.values(conditions).some(list => list.length > 0);
}

/**
 * Whether one backup selection selects the resource, the way AWS Backup
 * decides it: `Resources` and `Conditions` together (AND), `ListOfTags` as an
 * alternative (OR), `NotResources` excluded from both. A resource whose tags
 * are unknown matches no tag test.
 *
 * @public
 */
export function backupSelectionSelects(
  selection: BackupSelectionCriteria,
  resource: BackupSelectable,
): boolean {
  const { resourceArn } = resource;
  if (selection.notResources.some(p => wildcardMatches(p, resourceArn))) {
    return false;
  }
  const byTags = selection.anyOfTags.some(
    tag => tagOf(resource, tag) === tag.value,
  );
  if (byTags) {
    return true;
  }
  const conditioned = hasConditions(selection.conditions);
  if (
    selection.resources.length === 0 &&
    !conditioned &&
    selection.anyOfTags.length > 0
  ) {
    // Tags alone: only they select.
    return false;
  }
  const byResources =
    selection.resources.length === 0 ||
    selection.resources.some(p => wildcardMatches(p, resourceArn));
  return byResources && conditionsHold(selection.conditions, resource);
}

/**
 * Whether a backup plan selects the resource: one of its selections does;
 * a plan read without its selections' criteria decides by its resource ARNs.
 *
 * @public
 */
export function backupPlanSelects(
  plan: BackupPlan,
  resource: BackupSelectable,
): boolean {
  if (plan.selections) {
    return plan.selections.some(selection =>
      backupSelectionSelects(selection, resource),
    );
  }
  return plan.resourceArns.some(p => wildcardMatches(p, resource.resourceArn));
}

/**
 * The tag keys the plans' selections test: the only tags of a resource worth
 * keeping to decide its backup.
 *
 * @public
 */
export function backupSelectionTagKeys(plans: BackupPlan[]): Set<string> {
  const keys = new Set<string>();
  for (const selection of plans.flatMap(plan => plan.selections ?? [])) {
    for (const tag of [
      ...selection.anyOfTags,
      ...Object.values(selection.conditions).flat(),
    ]) {
      keys.add(tag.key);
    }
  }
  return keys;
}
