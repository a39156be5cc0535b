// What the Amazon ECS plugin for Backstage (awslabs/backstage-plugins-for-aws,
// DefaultAmazonEcsService.getServices) does to show a service, applied to every
// service of an environment: one entity per service, and for each one
// DescribeServices([service]), ListTasks(serviceName), DescribeTasks(those tasks),
// DescribeClusters([cluster]), one after the other; no cache, no ListServices (the
// service ARNs come from catalog annotations). To show what the backend shows of
// what runs where, it also describes the task definition of each PRIMARY and
// ACTIVE deployment (DescribeTaskDefinition), on every read as it caches nothing:
// the ECS plugin shows only the task definition's ARN. The same SDK clients and retry
// settings as the environments backend; services run with the same bound of 8
// calls in flight per environment, so the comparison is about the calls made.
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { mentionsThrottling } from './operations.mjs';

async function forEachLimited(items, limit, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
}

/**
 * @param {{ endpoint: string, environments: Array<{ name: string, accountId: string, region: string, cluster: string, serviceNames: string[] }>, concurrency?: number, maxAttempts?: number, retryMode?: 'standard' | 'adaptive' }} options
 */
export async function readNaive(options) {
  const { concurrency = 8, maxAttempts = 5, retryMode = 'standard' } = options;
  const started = performance.now();
  const results = await Promise.all(
    options.environments.map(async env => {
      const client = new ECSClient({
        region: env.region,
        endpoint: options.endpoint,
        credentials: {
          accessKeyId: `SANDBOX${env.accountId}`,
          secretAccessKey: 'sandbox-placeholder',
        },
        maxAttempts,
        retryMode,
      });
      let services = 0;
      let tasks = 0;
      const failures = { throttling: 0, other: 0 };
      await forEachLimited(env.serviceNames, concurrency, async serviceName => {
        try {
          const described = await client.send(
            new DescribeServicesCommand({
              cluster: env.cluster,
              services: [serviceName],
            }),
          );
          for (const service of described.services ?? []) {
            const listed = await client.send(
              new ListTasksCommand({
                cluster: env.cluster,
                serviceName: service.serviceName,
              }),
            );
            if (listed.taskArns?.length) {
              const describedTasks = await client.send(
                new DescribeTasksCommand({
                  cluster: env.cluster,
                  tasks: listed.taskArns,
                }),
              );
              tasks += describedTasks.tasks?.length ?? 0;
            }
            for (const deployment of service.deployments ?? []) {
              if (
                ['PRIMARY', 'ACTIVE'].includes(deployment.status) &&
                deployment.taskDefinition
              ) {
                await client.send(
                  new DescribeTaskDefinitionCommand({
                    taskDefinition: deployment.taskDefinition,
                  }),
                );
              }
            }
            services += 1;
          }
          await client.send(
            new DescribeClustersCommand({ clusters: [env.cluster] }),
          );
        } catch (error) {
          if (
            mentionsThrottling(error?.name) ||
            mentionsThrottling(error?.message)
          ) {
            failures.throttling += 1;
          } else {
            failures.other += 1;
          }
        }
      });
      client.destroy();
      return { name: env.name, services, tasks, failures };
    }),
  );
  return { durationMs: performance.now() - started, environments: results };
}
