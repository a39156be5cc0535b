import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { z } from 'zod';
import {
  environmentSchema,
  EnvironmentSpec,
  Scenario,
  ScenarioInput,
  scenarioSchema,
} from './schema';

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

function formatIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map(issue => {
    const path = formatPath([...(prefix ? [prefix] : []), ...issue.path]);
    const keys =
      issue.code === 'unrecognized_keys'
        ? issue.keys.map(key => (path ? `${path}.${key}` : key)).join(', ')
        : undefined;
    return keys
      ? `${keys}: unknown key`
      : `${path || '(root)'}: ${issue.message}`;
  });
}

/** What ECS accepts as a secret's `valueFrom`: an SSM parameter (name or ARN) or a Secrets Manager secret ARN. */
const SECRET_REFERENCE =
  /^(arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/.+|arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+|\/?[A-Za-z0-9_.\-/]+)$/;

/**
 * What the schema cannot check of one environment: its account is known,
 * backup selections name its resources, services have capacity, target group
 * names are unique (ELBv2 names are unique per account and region), services
 * run in its zones, a container's variables have distinct names and its
 * secrets name where they come from, and alarms watch its services. `at` prefixes each problem's path.
 */
function environmentProblems(
  env: EnvironmentSpec,
  accounts: Set<string>,
  at: string,
): string[] {
  const problems: string[] = [];
  if (!accounts.has(env.account)) {
    problems.push(`${at}.account: ${env.account} is not in accounts`);
  }
  const resources = new Set(env.resources.map(r => r.name));
  env.backupPlans.forEach((plan, p) =>
    plan.selections.forEach((sel, s) =>
      sel.resources.forEach((name, r) => {
        if (!resources.has(name)) {
          problems.push(
            `${at}.backupPlans[${p}].selections[${s}].resources[${r}]: ${name} is not in resources`,
          );
        }
      }),
    ),
  );
  const providers = new Set(env.capacityProviders.map(c => c.name));
  if (env.services.length > 0 && providers.size === 0) {
    problems.push(
      `${at}.capacityProviders: services need at least one capacity provider`,
    );
  }
  const services = new Set(env.services.map(s => s.name));
  const targetGroups = new Map<string, number>();
  env.services.forEach((service, s) => {
    if (!service.targetGroup) return;
    const first = targetGroups.get(service.targetGroup);
    if (first !== undefined) {
      problems.push(
        `${at}.services[${s}].targetGroup: ${service.targetGroup} is already the target group of services[${first}]`,
      );
    } else {
      targetGroups.set(service.targetGroup, s);
    }
  });
  const zones = new Set(env.availabilityZones);
  env.services.forEach((service, s) => {
    service.availabilityZones?.forEach((zone, z) => {
      if (!zones.has(zone)) {
        problems.push(
          `${at}.services[${s}].availabilityZones[${z}]: ${zone} is not in availabilityZones`,
        );
      }
    });
    const names = new Set<string>();
    const variables = [
      ...service.environment.map((v, i) => ({
        ...v,
        path: `environment[${i}]`,
      })),
      ...service.secrets.map((v, i) => ({ ...v, path: `secrets[${i}]` })),
    ];
    for (const variable of variables) {
      if (names.has(variable.name)) {
        problems.push(
          `${at}.services[${s}].${variable.path}.name: ${variable.name} is set twice`,
        );
      }
      names.add(variable.name);
    }
    service.secrets.forEach((secret, i) => {
      if (!SECRET_REFERENCE.test(secret.valueFrom)) {
        problems.push(
          `${at}.services[${s}].secrets[${i}].valueFrom: must be an SSM parameter name or ARN, or a Secrets Manager secret ARN`,
        );
      }
    });
  });
  env.alarms.forEach((alarm, a) => {
    if (alarm.service && !services.has(alarm.service)) {
      problems.push(
        `${at}.alarms[${a}].service: ${alarm.service} is not in services`,
      );
    }
  });
  return problems;
}

export function parseScenario(input: unknown, source = '(inline)'): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (!result.success) {
    throw new ScenarioError(formatIssues(result.error), source);
  }
  const scenario = result.data;
  const accounts = new Set(scenario.accounts.map(a => a.id));
  const problems = scenario.environments.flatMap((env, i) =>
    environmentProblems(env, accounts, `environments[${i}]`),
  );
  if (problems.length) throw new ScenarioError(problems, source);
  return scenario;
}

/**
 * Parses one environment in the scenario format, to add to a running
 * sandbox: checked as a scenario's environments are, and against the
 * environments it already holds (`existing`): no second environment of that
 * name, and no second cluster, vault or target group name in its account
 * and region.
 */
export function parseEnvironment(
  input: unknown,
  scenario: Pick<Scenario, 'accounts'>,
  existing: EnvironmentSpec[],
): EnvironmentSpec {
  const result = environmentSchema.safeParse(input);
  if (!result.success) {
    throw new ScenarioError(
      formatIssues(result.error, 'environment'),
      '(admin API)',
    );
  }
  const env = result.data;
  const problems = environmentProblems(
    env,
    new Set(scenario.accounts.map(a => a.id)),
    'environment',
  );
  const neighbours = existing.filter(
    other => other.account === env.account && other.region === env.region,
  );
  if (existing.some(other => other.name === env.name)) {
    problems.push(`environment.name: an environment ${env.name} exists`);
  }
  if (neighbours.some(other => other.cluster === env.cluster)) {
    problems.push(
      `environment.cluster: cluster ${env.cluster} exists in ${env.account} ${env.region}`,
    );
  }
  if (neighbours.some(other => other.vault === env.vault)) {
    problems.push(
      `environment.vault: vault ${env.vault} exists in ${env.account} ${env.region}`,
    );
  }
  const takenTargetGroups = new Set(
    neighbours.flatMap(other => other.services.map(s => s.targetGroup)),
  );
  env.services.forEach((service, s) => {
    if (service.targetGroup && takenTargetGroups.has(service.targetGroup)) {
      problems.push(
        `environment.services[${s}].targetGroup: ${service.targetGroup} exists in ${env.account} ${env.region}`,
      );
    }
  });
  if (problems.length) throw new ScenarioError(problems, '(admin API)');
  return env;
}

export function loadScenarioFile(path: string): Scenario {
  return parseScenario(parse(readFileSync(path, 'utf8')), path);
}

export function scenarioFromInput(input: ScenarioInput | Scenario): Scenario {
  return parseScenario(input);
}
