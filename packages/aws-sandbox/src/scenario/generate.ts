import type { ScenarioInput } from './schema';

export interface GenerateScenarioOptions {
  environments?: number;
  servicesPerEnvironment?: number;
  tasksPerService?: number;
  seed?: string;
}

/**
 * A large scenario for benchmarks: every service runs a fixed number of
 * tasks, so `environments * servicesPerEnvironment * tasksPerService` tasks.
 * As in a real fleet, a few services have load balancer targets that fail
 * their health checks: one in a hundred always, one in fifty now and then.
 */
function healthOf(index: number): 'healthy' | 'flapping' | 'unhealthy' {
  if (index % 100 === 41) return 'unhealthy';
  if (index % 50 === 7) return 'flapping';
  return 'healthy';
}

export function generateScenario(
  options: GenerateScenarioOptions = {},
): ScenarioInput {
  const {
    environments = 2,
    servicesPerEnvironment = 1000,
    tasksPerService = 5,
    seed = 'generated',
  } = options;
  const accounts = Array.from({ length: environments }, (_, i) => ({
    id: String(100000000000 + (i + 1) * 111111111)
      .padStart(12, '0')
      .slice(-12),
    name: `generated-${i + 1}`,
  }));
  return {
    seed,
    accounts,
    environments: accounts.map((account, i) => {
      const name = `env-${i + 1}`;
      const services = Array.from(
        { length: servicesPerEnvironment },
        (_, s) => ({
          name: `service-${String(s + 1).padStart(4, '0')}`,
          min: tasksPerService,
          max: tasksPerService,
          cpu: 256,
          memory: 512,
          targetGroup: `tg-${String(s + 1).padStart(4, '0')}`,
          health: healthOf(s),
          deployment: { everyHours: 24, rolloutMinutes: 10, fails: false },
          scalingPolicies: [{ name: 'cpu-target', targetValue: 60 }],
        }),
      );
      return {
        name,
        account: account.id,
        region: 'eu-west-1',
        cluster: `${name}-cluster`,
        vault: `${name}-vault`,
        availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
        services,
        capacityProviders: [
          {
            name: `${name}-capacity`,
            autoScalingGroup: {
              name: `${name}-asg`,
              instanceType: 'm6i.2xlarge',
              instanceCpu: 8192,
              min: 1,
              max: Math.max(
                1,
                Math.ceil(
                  (servicesPerEnvironment * tasksPerService * 256) / 8192,
                ) + 2,
              ),
            },
          },
        ],
        alarms: services.map(service => ({
          name: `${name}-${service.name}-cpu-high`,
          service: service.name,
          metric: 'CPUUtilization' as const,
          threshold: 80,
        })),
        resources: [
          { type: 'efs' as const, name: 'media' },
          { type: 'rds' as const, name: 'database' },
        ],
        backupPlans: [
          {
            name: `${name}-daily`,
            rules: [
              {
                name: 'daily',
                schedule: 'cron(0 3 * * ? *)',
                deleteAfterDays: 35,
              },
            ],
            selections: [{ name: 'all', resources: ['media', 'database'] }],
          },
        ],
        workload: {
          id: `${name}-workload`,
          name,
          environment: 'PRODUCTION' as const,
          pillars: [],
          improvements: [],
        },
      };
    }),
  };
}
