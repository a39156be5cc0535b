// The fewest AWS calls one full refresh of an environment can make, given the
// API batch and page limits. See bench/README.md for the formula in prose.
import {
  DescribeScalingActivitiesCommand,
  ApplicationAutoScalingClient,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CloudWatchClient,
  GetMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeServicesCommand,
  ECSClient,
  ListServicesCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';

export const LIMITS = {
  ListServices: 100, // maxResults
  DescribeServices: 10, // services per call
  ListTasks: 100, // maxResults
  DescribeTasks: 100, // tasks per call
  DescribeAutoScalingGroups: 50, // names per call
  DescribeScalableTargets: 50, // ResourceIds / MaxResults per call
  DescribeParameters: 50, // names per Name Equals filter
  DescribeScalingPolicies: 10, // MaxResults is 1-10; whole namespace without ResourceId
  DescribeScalingActivities: 50, // MaxResults
  DescribeAlarms: 100, // MaxRecords
  GetResources: 100, // ResourcesPerPage
  ListLensReviewImprovements: 50, // MaxResults
  DescribeTargetGroups: 400, // PageSize
  GetMetricData: 250, // target groups per call: 500 queries, two per group
};

const pages = (items, size) => Math.max(1, Math.ceil(items / size));
const batches = (items, size) => Math.ceil(items / size);

/** The SSM parameter name a secret's valueFrom names, none for Secrets Manager. */
function ssmParameterName(valueFrom) {
  if (!valueFrom || valueFrom.includes(':secretsmanager:')) return [];
  const arn = valueFrom.match(/:parameter(\/.+)$/);
  return [arn ? arn[1] : valueFrom];
}

/** The Secrets Manager secret a `valueFrom` names in the account and region (its ARN, JSON key removed). */
function ownSecretArn(valueFrom, { account, region }) {
  const prefix = `arn:aws:secretsmanager:${region}:${account}:secret:`;
  if (!valueFrom?.startsWith(prefix)) return [];
  return [valueFrom.split(':').slice(0, 7).join(':')];
}

/**
 * The inventory of one environment that the minimum depends on: the structural
 * counts come from the generated scenario (a function of the size); the task and
 * activity counts are listed from the sandbox with its clock frozen.
 */
export function structuralInventory(scenarioEnvironment, tasksPerService) {
  const services = scenarioEnvironment.services;
  return {
    services: services.length,
    runningTasks: services.length * tasksPerService,
    stoppedTasks: 0,
    targetGroups: new Set(
      services.flatMap(s => (s.targetGroup ? [s.targetGroup] : [])),
    ).size,
    scalableTargets: services.length,
    scalingPolicies: services.reduce(
      (sum, s) => sum + (s.scalingPolicies?.length ?? 0),
      0,
    ),
    scalingActivities: 0,
    capacityProviders: scenarioEnvironment.capacityProviders?.length ?? 0,
    autoScalingGroups: new Set(
      (scenarioEnvironment.capacityProviders ?? []).map(
        cp => cp.autoScalingGroup.name,
      ),
    ).size,
    alarmsInAccount: scenarioEnvironment.alarms?.length ?? 0,
    backupPlans: scenarioEnvironment.backupPlans?.length ?? 0,
    backupSelections: (scenarioEnvironment.backupPlans ?? []).reduce(
      (sum, plan) => sum + (plan.selections?.length ?? 0),
      0,
    ),
    backupCandidates: scenarioEnvironment.resources?.length ?? 0,
    // What the task definitions point at (the workload findings' reads).
    secretParameters: new Set(
      services.flatMap(s =>
        (s.secrets ?? []).flatMap(secret =>
          ssmParameterName(secret.valueFrom ?? secret.parameter),
        ),
      ),
    ).size,
    // Its Secrets Manager secrets, each described once.
    secretsManagerSecrets: new Set(
      services.flatMap(s =>
        (s.secrets ?? []).flatMap(secret =>
          ownSecretArn(secret.valueFrom, scenarioEnvironment),
        ),
      ),
    ).size,
    // One digest per service at most (the scenario's tasks of a revision run one).
    ownEcrDigests: services.filter(s =>
      s.image?.startsWith(`${scenarioEnvironment.account}.dkr.ecr.`),
    ).length,
    fileSystems: (scenarioEnvironment.resources ?? []).filter(
      r => r.type === 'efs',
    ).length,
    workload: Boolean(scenarioEnvironment.workload),
    improvements: scenarioEnvironment.workload?.improvements?.length ?? 0,
  };
}

/** Lists what changes with time (tasks, scaling activities) straight from the sandbox. */
export async function listLiveCounts({ endpoint, accountId, region, cluster }) {
  const clientConfig = {
    region,
    endpoint,
    credentials: {
      accessKeyId: `SANDBOX${accountId}`,
      secretAccessKey: 'sandbox-placeholder',
    },
    maxAttempts: 1,
  };
  const ecs = new ECSClient(clientConfig);
  const countTasks = async desiredStatus => {
    let count = 0;
    let nextToken;
    do {
      const page = await ecs.send(
        new ListTasksCommand({
          cluster,
          desiredStatus,
          maxResults: 100,
          nextToken,
        }),
      );
      count += page.taskArns?.length ?? 0;
      nextToken = page.nextToken;
    } while (nextToken);
    return count;
  };
  const runningTasks = await countTasks('RUNNING');
  const stoppedTasks = await countTasks('STOPPED');
  const taskDefinitionsInUse = await countTaskDefinitionsInUse(ecs, cluster);
  ecs.destroy();

  let scalingActivities = 0;
  const scaling = new ApplicationAutoScalingClient(clientConfig);
  try {
    let NextToken;
    do {
      const page = await scaling.send(
        new DescribeScalingActivitiesCommand({
          ServiceNamespace: 'ecs',
          NextToken,
        }),
      );
      scalingActivities += page.ScalingActivities?.length ?? 0;
      NextToken = page.NextToken;
    } while (NextToken);
  } catch {
    // Not answered by this sandbox: the listing still costs its one call.
  } finally {
    scaling.destroy();
  }
  const targetGroupsToDescribe = await countTargetGroupsToDescribe(
    clientConfig,
  );
  return {
    runningTasks,
    stoppedTasks,
    scalingActivities,
    targetGroupsToDescribe,
    taskDefinitionsInUse,
  };
}

/**
 * The task definitions a refresh must describe, one per DescribeTaskDefinition
 * call (the API takes one): those of the services' PRIMARY and ACTIVE
 * deployments, each once.
 */
async function countTaskDefinitionsInUse(ecs, cluster) {
  const arns = new Set();
  let nextToken;
  do {
    const page = await ecs.send(
      new ListServicesCommand({ cluster, maxResults: 100, nextToken }),
    );
    const serviceArns = page.serviceArns ?? [];
    for (let i = 0; i < serviceArns.length; i += 10) {
      const described = await ecs.send(
        new DescribeServicesCommand({
          cluster,
          services: serviceArns.slice(i, i + 10),
        }),
      );
      for (const service of described.services ?? []) {
        for (const deployment of service.deployments ?? []) {
          if (
            (deployment.status === 'PRIMARY' ||
              deployment.status === 'ACTIVE') &&
            deployment.taskDefinition
          ) {
            arns.add(deployment.taskDefinition);
          }
        }
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return arns.size;
}

/**
 * Target groups whose reasons a refresh must read with DescribeTargetHealth:
 * those whose latest CloudWatch minute counts an unhealthy target, or that have
 * no datapoint. Counted here on its own, from the sandbox, at the frozen time
 * the backend reads.
 */
async function countTargetGroupsToDescribe(clientConfig) {
  const elb = new ElasticLoadBalancingV2Client(clientConfig);
  const cloudWatch = new CloudWatchClient(clientConfig);
  try {
    const groups = [];
    let Marker;
    do {
      const page = await elb.send(
        new DescribeTargetGroupsCommand({ PageSize: 400, Marker }),
      );
      groups.push(...(page.TargetGroups ?? []));
      Marker = page.NextMarker;
    } while (Marker);
    const dimensions = group => [
      {
        Name: 'TargetGroup',
        Value: group.TargetGroupArn.slice(
          group.TargetGroupArn.indexOf(':targetgroup/') + 1,
        ),
      },
      {
        Name: 'LoadBalancer',
        Value: group.LoadBalancerArns[0].split(':loadbalancer/')[1],
      },
    ];
    const now = Date.now();
    let toDescribe = 0;
    for (let i = 0; i < groups.length; i += 250) {
      const batch = groups.slice(i, i + 250);
      const output = await cloudWatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: batch.map((group, j) => ({
            Id: `u${j}`,
            MetricStat: {
              Metric: {
                Namespace: 'AWS/ApplicationELB',
                MetricName: 'UnHealthyHostCount',
                Dimensions: dimensions(group),
              },
              Period: 60,
              Stat: 'Maximum',
            },
          })),
          StartTime: new Date(now - 5 * 60_000),
          EndTime: new Date(now),
          ScanBy: 'TimestampDescending',
        }),
      );
      for (const result of output.MetricDataResults ?? []) {
        if (!result.Values?.length || result.Values[0] > 0) toDescribe += 1;
      }
    }
    return toDescribe;
  } finally {
    elb.destroy();
    cloudWatch.destroy();
  }
}

/** Minimum calls per operation for one environment's full refresh. */
export function minimumCalls(inv) {
  const byOperation = {
    DescribeClusters: 1,
    ListServices: pages(inv.services, LIMITS.ListServices),
    DescribeServices: batches(inv.services, LIMITS.DescribeServices),
    ListTasks:
      pages(inv.runningTasks, LIMITS.ListTasks) +
      pages(inv.stoppedTasks, LIMITS.ListTasks),
    DescribeTasks: batches(
      inv.runningTasks + inv.stoppedTasks,
      LIMITS.DescribeTasks,
    ),
    // One task definition per call; each described once, kept while in use.
    DescribeTaskDefinition: inv.taskDefinitionsInUse ?? 0,
    DescribeCapacityProviders: inv.capacityProviders > 0 ? 1 : 0,
    DescribeAutoScalingGroups: batches(
      inv.autoScalingGroups,
      LIMITS.DescribeAutoScalingGroups,
    ),
    DescribeScalableTargets:
      inv.services > 0
        ? pages(inv.scalableTargets, LIMITS.DescribeScalableTargets)
        : 0,
    DescribeScalingPolicies:
      inv.scalableTargets > 0
        ? pages(inv.scalingPolicies, LIMITS.DescribeScalingPolicies)
        : 0,
    DescribeScalingActivities: pages(
      inv.scalingActivities,
      LIMITS.DescribeScalingActivities,
    ),
    DescribeAlarms: pages(inv.alarmsInAccount, LIMITS.DescribeAlarms),
    // Counts from CloudWatch; targets described only where one is unhealthy.
    DescribeTargetGroups:
      inv.targetGroups > 0
        ? pages(inv.targetGroups, LIMITS.DescribeTargetGroups)
        : 0,
    GetMetricData: batches(inv.targetGroups, LIMITS.GetMetricData),
    DescribeTargetHealth: inv.targetGroupsToDescribe ?? inv.targetGroups,
    ListBackupPlans: 1,
    GetBackupPlan: inv.backupPlans,
    ListBackupSelections: inv.backupPlans,
    GetBackupSelection: inv.backupSelections,
    ListProtectedResourcesByBackupVault: 1,
    ListRecoveryPointsByBackupVault: 1,
    ListBackupJobs: 1,
    GetResources: pages(inv.backupCandidates, LIMITS.GetResources),
    GetWorkload: inv.workload ? 1 : 0,
    GetLensReview: inv.workload ? 1 : 0,
    ListLensReviewImprovements: inv.workload
      ? pages(inv.improvements, LIMITS.ListLensReviewImprovements)
      : 0,
    // The secrets' SSM parameters, 50 names a call (Name Equals filter).
    DescribeParameters: batches(
      inv.secretParameters ?? 0,
      LIMITS.DescribeParameters,
    ),
    // The secrets' Secrets Manager secrets, one DescribeSecret each.
    DescribeSecret: inv.secretsManagerSecrets ?? 0,
    // Each digest a task runs from the environment's own ECR, its counts once.
    DescribeImageScanFindings: inv.ownEcrDigests ?? 0,
    // Each file system of the environment's tag: itself and its mount targets.
    DescribeFileSystems: inv.fileSystems ?? 0,
    DescribeMountTargets: inv.fileSystems ?? 0,
  };
  const total = Object.values(byOperation).reduce((a, b) => a + b, 0);
  return { total, byOperation };
}

/** Sums per-operation minimums of several environments. */
export function sumMinimums(minimums) {
  const byOperation = {};
  let total = 0;
  for (const m of minimums) {
    total += m.total;
    for (const [op, n] of Object.entries(m.byOperation)) {
      byOperation[op] = (byOperation[op] ?? 0) + n;
    }
  }
  return { total, byOperation };
}
