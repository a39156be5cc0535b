import { PlanJson } from './planJson';

/** Counts of what a plan would do to resources. */
export interface ChangeCounts {
  add: number;
  change: number;
  destroy: number;
  replace: number;
}

/** What `kler:terraform:plan` reports about a plan. */
export interface PlanSummary extends ChangeCounts {
  byType: Record<string, ChangeCounts>;
  destroys: boolean;
  outputChanges: number;
}

/** What a resource change's actions amount to: `add`, `replace`, ... or nothing. */
export function classifyChange(
  actions: string[],
): keyof ChangeCounts | undefined {
  if (actions.includes('delete') && actions.includes('create')) {
    return 'replace';
  }
  if (actions.includes('delete')) return 'destroy';
  if (actions.includes('create')) return 'add';
  if (actions.includes('update')) return 'change';
  return undefined;
}

const noChanges = (): ChangeCounts => ({
  add: 0,
  change: 0,
  destroy: 0,
  replace: 0,
});

/** Summarizes the JSON of `terraform show -json <planfile>`. */
export function summarizePlan(plan: PlanJson): PlanSummary {
  const totals = noChanges();
  const byType: Record<string, ChangeCounts> = {};
  for (const resource of plan.resource_changes ?? []) {
    if (resource.mode === 'data') continue;
    const kind = classifyChange(resource.change?.actions ?? []);
    if (!kind) continue;
    totals[kind] += 1;
    const type = resource.type ?? 'unknown';
    byType[type] ??= noChanges();
    byType[type][kind] += 1;
  }
  const outputChanges = Object.values(plan.output_changes ?? {}).filter(
    change => !(change.actions ?? []).every(action => action === 'no-op'),
  ).length;
  return {
    ...totals,
    byType,
    destroys: totals.destroy + totals.replace > 0,
    outputChanges,
  };
}

/** Whether applying the plan would change anything. */
export function planHasChanges(summary: PlanSummary) {
  return (
    summary.add + summary.change + summary.destroy + summary.replace > 0 ||
    summary.outputChanges > 0
  );
}

/** `3 to add, 1 to change, 0 to destroy, 0 to replace` */
export function describePlan(summary: PlanSummary) {
  return `${summary.add} to add, ${summary.change} to change, ${summary.destroy} to destroy, ${summary.replace} to replace`;
}
