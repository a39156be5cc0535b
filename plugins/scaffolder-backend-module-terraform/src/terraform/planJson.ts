import { JsonValue } from '@backstage/types';

/** The parts of `terraform show -json <planfile>` the actions read. */
export interface PlanJson {
  resource_changes?: Array<{
    address?: string;
    type?: string;
    mode?: string;
    change?: { actions?: string[] };
  }>;
  output_changes?: Record<string, { actions?: string[] }>;
  variables?: Record<string, { value?: JsonValue }>;
  configuration?: {
    root_module?: { variables?: Record<string, { sensitive?: boolean }> };
  };
}

/**
 * The values of the plan's sensitive variables (declared `sensitive` or named
 * by the task), so that apply can mask them without the task passing secrets
 * again. Values keep their type: a number or a list is masked as Terraform
 * prints it (see `secretTextsOf`).
 */
export function sensitiveValuesOfPlan(
  plan: PlanJson,
  alsoSensitive: string[] = [],
): JsonValue[] {
  const declared = plan.configuration?.root_module?.variables ?? {};
  const values: JsonValue[] = [];
  for (const [name, variable] of Object.entries(plan.variables ?? {})) {
    if (!declared[name]?.sensitive && !alsoSensitive.includes(name)) continue;
    const value = variable.value;
    if (value === undefined || value === null) continue;
    values.push(value);
  }
  return values;
}
