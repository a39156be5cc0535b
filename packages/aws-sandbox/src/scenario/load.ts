import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Scenario, ScenarioInput, scenarioSchema } from './schema';

/** Thrown when a scenario does not match the schema; names each bad path. */
export class ScenarioError extends Error {
  constructor(readonly problems: string[], source: string) {
    super(`Invalid scenario ${source}:\n  ${problems.join('\n  ')}`);
    this.name = 'ScenarioError';
  }
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) =>
      typeof key === 'number'
        ? `${out}[${key}]`
        : `${out ? `${out}.` : ''}${String(key)}`,
    '',
  );
}

export function parseScenario(input: unknown, source = '(inline)'): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (!result.success) {
    throw new ScenarioError(
      result.error.issues.map(issue => {
        const path = formatPath(issue.path);
        const keys =
          issue.code === 'unrecognized_keys'
            ? issue.keys.map(key => (path ? `${path}.${key}` : key)).join(', ')
            : undefined;
        return keys
          ? `${keys}: unknown key`
          : `${path || '(root)'}: ${issue.message}`;
      }),
      source,
    );
  }
  const scenario = result.data;
  const problems: string[] = [];
  const accounts = new Set(scenario.accounts.map(a => a.id));
  scenario.environments.forEach((env, i) => {
    if (!accounts.has(env.account)) {
      problems.push(
        `environments[${i}].account: ${env.account} is not in accounts`,
      );
    }
    const resources = new Set(env.resources.map(r => r.name));
    env.backupPlans.forEach((plan, p) =>
      plan.selections.forEach((sel, s) =>
        sel.resources.forEach((name, r) => {
          if (!resources.has(name)) {
            problems.push(
              `environments[${i}].backupPlans[${p}].selections[${s}].resources[${r}]: ${name} is not in resources`,
            );
          }
        }),
      ),
    );
    const providers = new Set(env.capacityProviders.map(c => c.name));
    if (env.services.length > 0 && providers.size === 0) {
      problems.push(
        `environments[${i}].capacityProviders: services need at least one capacity provider`,
      );
    }
    const services = new Set(env.services.map(s => s.name));
    // ELBv2 target group names are unique per account and region
    const targetGroups = new Map<string, number>();
    env.services.forEach((service, s) => {
      if (!service.targetGroup) return;
      const first = targetGroups.get(service.targetGroup);
      if (first !== undefined) {
        problems.push(
          `environments[${i}].services[${s}].targetGroup: ${service.targetGroup} is already the target group of services[${first}]`,
        );
      } else {
        targetGroups.set(service.targetGroup, s);
      }
    });
    env.alarms.forEach((alarm, a) => {
      if (alarm.service && !services.has(alarm.service)) {
        problems.push(
          `environments[${i}].alarms[${a}].service: ${alarm.service} is not in services`,
        );
      }
    });
  });
  if (problems.length) throw new ScenarioError(problems, source);
  return scenario;
}

export function loadScenarioFile(path: string): Scenario {
  return parseScenario(parse(readFileSync(path, 'utf8')), path);
}

export function scenarioFromInput(input: ScenarioInput | Scenario): Scenario {
  return parseScenario(input);
}
