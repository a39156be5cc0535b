import { PlanJson } from './planJson';
import { ChangeCounts, classifyChange } from './planSummary';

/** One resource a plan changes: its address and what the plan does to it. */
export type PlannedChange = [address: string, kind: keyof ChangeCounts];

/** The resources a saved plan changes (data sources and no-ops left out). */
export function plannedChanges(plan: PlanJson): PlannedChange[] {
  const changes: PlannedChange[] = [];
  for (const resource of plan.resource_changes ?? []) {
    if (resource.mode === 'data' || !resource.address) continue;
    const kind = classifyChange(resource.change?.actions ?? []);
    if (kind) changes.push([resource.address, kind]);
  }
  return changes;
}

/** The parts of `terraform state pull` read here. */
interface StateJson {
  serial?: number;
  resources?: Array<{
    module?: string;
    mode?: string;
    type?: string;
    name?: string;
    instances?: Array<{ index_key?: string | number }>;
  }>;
}

/** The address of every resource instance in a state, as plans write them. */
export function stateAddresses(state: StateJson): Set<string> {
  const addresses = new Set<string>();
  for (const resource of state.resources ?? []) {
    const base = `${resource.module ? `${resource.module}.` : ''}${
      resource.mode === 'data' ? 'data.' : ''
    }${resource.type}.${resource.name}`;
    for (const instance of resource.instances ?? []) {
      const key = instance.index_key;
      addresses.add(
        key === undefined
          ? base
          : `${base}[${typeof key === 'number' ? key : JSON.stringify(key)}]`,
      );
    }
  }
  return addresses;
}

/** What a state says of a plan's changes, by type for what can be told. */
export interface StateComparison {
  /** The state's serial; undefined when the state is empty or was never written. */
  serial?: number;
  /** Managed resource instances in the state. */
  resources: number;
  added: { done: number; planned: number };
  addedByType: Record<string, { done: number; planned: number }>;
  destroyed: { done: number; planned: number };
  /** In-place updates and replacements: the state holds the resource either way. */
  untold: { change: number; replace: number };
}

function typeOf(address: string): string {
  const parts = address.replace(/\[[^\]]*\]$/, '').split('.');
  return parts[parts.length - 2] ?? 'unknown';
}

/**
 * Compares the state (the JSON of `terraform state pull`, empty when there
 * is none) with the plan's changes: a resource to add is done when the state
 * has it, one to destroy when the state no longer has it. Whether an update
 * or a replacement happened the state cannot say: it holds the resource
 * before and after.
 */
export function compareStateWithPlan(
  stateText: string,
  changes: PlannedChange[],
): StateComparison {
  const state: StateJson = stateText.trim() ? JSON.parse(stateText) : {};
  const inState = stateAddresses({
    resources: (state.resources ?? []).filter(r => r.mode !== 'data'),
  });
  const comparison: StateComparison = {
    serial: state.resources?.length || state.serial ? state.serial : undefined,
    resources: inState.size,
    added: { done: 0, planned: 0 },
    addedByType: {},
    destroyed: { done: 0, planned: 0 },
    untold: { change: 0, replace: 0 },
  };
  for (const [address, kind] of changes) {
    if (kind === 'add') {
      const done = inState.has(address) ? 1 : 0;
      const type = typeOf(address);
      comparison.added.planned += 1;
      comparison.added.done += done;
      comparison.addedByType[type] ??= { done: 0, planned: 0 };
      comparison.addedByType[type].planned += 1;
      comparison.addedByType[type].done += done;
    } else if (kind === 'destroy') {
      comparison.destroyed.planned += 1;
      comparison.destroyed.done += inState.has(address) ? 0 : 1;
    } else {
      comparison.untold[kind] += 1;
    }
  }
  return comparison;
}

/** The types of resource to add named one by one, the most planned first. */
const MAX_TYPES_DESCRIBED = 5;

/**
 * `Terraform's state (serial 215) holds 214 resources: 213 of the plan's
 * 1001 to add (terraform_data: 213 of 1001)` and what cannot be told.
 */
export function describeStateComparison(comparison: StateComparison): string {
  const { added, destroyed, untold } = comparison;
  const parts: string[] = [];
  if (added.planned) {
    const types = Object.entries(comparison.addedByType).sort(
      ([a, x], [b, y]) => y.planned - x.planned || a.localeCompare(b),
    );
    const byType = [
      ...types
        .slice(0, MAX_TYPES_DESCRIBED)
        .map(
          ([type, counts]) => `${type}: ${counts.done} of ${counts.planned}`,
        ),
      ...(types.length > MAX_TYPES_DESCRIBED
        ? [`${types.length - MAX_TYPES_DESCRIBED} more types`]
        : []),
    ].join('; ');
    parts.push(
      `${added.done} of the plan's ${added.planned} to add are in it (${byType})`,
    );
  }
  if (destroyed.planned) {
    parts.push(
      `${destroyed.done} of its ${destroyed.planned} to destroy are gone from it`,
    );
  }
  const untoldCount = untold.change + untold.replace;
  if (untoldCount) {
    parts.push(
      `whether its ${untold.change} to change and ${untold.replace} to replace were applied the state cannot tell`,
    );
  }
  const holds =
    comparison.serial === undefined
      ? `Terraform's state is empty (it holds no resource)`
      : `Terraform's state (serial ${comparison.serial}) holds ${comparison.resources} resources`;
  return parts.length ? `${holds}: ${parts.join('; ')}` : holds;
}
