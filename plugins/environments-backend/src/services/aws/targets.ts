import {
  GetMetricDataCommand,
  MetricDataQuery,
  MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  TargetGroupHealth,
  TargetHealth,
} from '@kler/plugin-environments-common';
import { Descriptions } from '../../caches/AwsReadMemory';
import { chunk, collectPages } from './concurrency';
import { ReadContext } from './types';

/** DescribeTargetGroups returns at most 400 target groups a page. */
export const TARGET_GROUPS_PAGE_SIZE = 400;
/** GetMetricData takes at most 500 queries a call; two per target group. */
export const METRIC_QUERIES_PER_CALL = 500;
/** How far back to look for the latest per-minute target counts. */
const METRIC_WINDOW_MS = 5 * 60 * 1000;
const METRIC_PERIOD_SECONDS = 60;

export interface TargetHealthRead {
  /** Every target of the target groups described one by one, keyed by target group ARN. */
  targets: Map<string, TargetHealth[]>;
  /** Healthy and unhealthy counts of every target group, keyed by ARN. */
  groups: Map<string, TargetGroupHealth>;
}

/** The targets of one target group as described, and the counts they were described at. */
export interface DescribedTargets {
  /** The group's CloudWatch counts when it was described (`none`: no datapoint). */
  countsKey: string;
  describedAt: number;
  targets: TargetHealth[];
}

/** A part of the read that failed while the rest went on. */
export type PartialFailure = (part: string, error: unknown) => void;

export interface TargetHealthOptions {
  /**
   * The load balancer of each target group of the account and region (see
   * readTargetGroupLoadBalancers), or the error that kept it from being read.
   */
  loadBalancers: TargetGroupLoadBalancers | Error;
  /** Earlier descriptions of target groups, by ARN. */
  described: Descriptions<DescribedTargets>;
  /** How long a description is reused while the group's counts stay the same. */
  reuseMs: number;
  onPartialFailure: PartialFailure;
}

/**
 * Reads the health of the given target groups' targets.
 *
 * DescribeTargetHealth takes one target group a call, which at a thousand
 * services is a thousand calls a refresh against a throttle of tens a second.
 * So the counts come first from the load balancers' CloudWatch metrics
 * (HealthyHostCount and UnHealthyHostCount, 250 target groups a call), and only
 * the target groups with an unhealthy target, or without metrics (new, or not
 * behind a load balancer), are described target by target, for the reasons.
 * A group described before whose counts are the same is not described again
 * within `reuseMs`: the reasons of a group that stays as unhealthy as it was
 * are the ones already read. When the metrics cannot be read, every target
 * group is described: slower, but complete; `onPartialFailure` hears why.
 */
export async function readTargetHealth(
  ctx: ReadContext,
  targetGroupArns: string[],
  options: TargetHealthOptions,
): Promise<TargetHealthRead> {
  const arns = [...new Set(targetGroupArns)];
  const groups = new Map<string, TargetGroupHealth>();
  const targets = new Map<string, TargetHealth[]>();
  if (arns.length === 0) {
    return { targets, groups };
  }

  let fromMetrics = new Map<string, TargetGroupHealth>();
  try {
    if (options.loadBalancers instanceof Error) {
      throw options.loadBalancers;
    }
    fromMetrics = await readTargetCounts(ctx, arns, options.loadBalancers);
  } catch (error) {
    options.onPartialFailure('Target counts from CloudWatch', error);
  }

  const now = ctx.now.getTime();
  await Promise.all(
    arns.map(async arn => {
      const counts = fromMetrics.get(arn);
      if (counts && counts.unhealthy === 0) {
        groups.set(arn, counts);
        return;
      }
      const countsKey = counts
        ? `${counts.healthy}/${counts.unhealthy}`
        : 'none';
      const known = options.described.get(arn);
      let described = known?.targets;
      if (
        !known ||
        known.countsKey !== countsKey ||
        now - known.describedAt >= options.reuseMs
      ) {
        described = await describeTargetHealth(ctx, arn);
        options.described.set(arn, {
          countsKey,
          describedAt: now,
          targets: described,
        });
      }
      targets.set(arn, described!);
      groups.set(arn, {
        targetGroupArn: arn,
        healthy: described!.filter(t => t.state === 'healthy').length,
        unhealthy: described!.filter(t => t.state === 'unhealthy').length,
        source: 'DescribeTargetHealth',
      });
    }),
  );
  options.described.retainOnly(targets.keys());
  return { targets, groups };
}

async function describeTargetHealth(
  { clients, limit, sendOptions }: ReadContext,
  targetGroupArn: string,
): Promise<TargetHealth[]> {
  const output = await limit('DescribeTargetHealth', () =>
    clients.elasticLoadBalancing.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
      sendOptions,
    ),
  );
  return (output.TargetHealthDescriptions ?? []).map(description => ({
    targetGroupArn,
    targetId: description.Target?.Id ?? '',
    port: description.Target?.Port,
    state: description.TargetHealth?.State ?? 'unavailable',
    reason: description.TargetHealth?.Reason,
    description: description.TargetHealth?.Description,
  }));
}

/** Every target group of the account and region, with its load balancer if it has one. */
export type TargetGroupLoadBalancers = Map<string, string | undefined>;

/**
 * The load balancer of every target group of the account and region: ELB
 * publishes target counts per target group and load balancer, so the metric
 * query needs both. Configuration: a group's load balancer does not change.
 */
export async function readTargetGroupLoadBalancers({
  clients,
  limit,
  sendOptions,
}: ReadContext): Promise<TargetGroupLoadBalancers> {
  const targetGroups = await collectPages(async Marker => {
    const page = await limit('DescribeTargetGroups', () =>
      clients.elasticLoadBalancing.send(
        new DescribeTargetGroupsCommand({
          PageSize: TARGET_GROUPS_PAGE_SIZE,
          Marker,
        }),
        sendOptions,
      ),
    );
    return { items: page.TargetGroups, nextToken: page.NextMarker };
  });
  const loadBalancerByTargetGroup: TargetGroupLoadBalancers = new Map();
  for (const group of targetGroups) {
    if (group.TargetGroupArn) {
      loadBalancerByTargetGroup.set(
        group.TargetGroupArn,
        group.LoadBalancerArns?.[0],
      );
    }
  }
  return loadBalancerByTargetGroup;
}

/** `arn:...:targetgroup/name/id` -> `targetgroup/name/id`, the metric dimension. */
export function targetGroupDimension(arn: string): string | undefined {
  const index = arn.indexOf(':targetgroup/');
  return index >= 0 ? arn.slice(index + 1) : undefined;
}

/** `arn:...:loadbalancer/app/name/id` -> `app/name/id`, the metric dimension. */
export function loadBalancerDimension(arn: string): string | undefined {
  const index = arn.indexOf(':loadbalancer/');
  return index >= 0 ? arn.slice(index + ':loadbalancer/'.length) : undefined;
}

/**
 * The latest per-minute healthy and unhealthy counts of each target group with
 * metrics; a target group without a datapoint in the window is left out.
 */
async function readTargetCounts(
  { clients, limit, sendOptions, now }: ReadContext,
  targetGroupArns: string[],
  loadBalancerByTargetGroup: TargetGroupLoadBalancers,
): Promise<Map<string, TargetGroupHealth>> {
  const queried: Array<{
    arn: string;
    dimensions: Array<{ Name: string; Value: string }>;
  }> = [];
  for (const arn of targetGroupArns) {
    const targetGroup = targetGroupDimension(arn);
    const loadBalancerArn = loadBalancerByTargetGroup.get(arn);
    const loadBalancer = loadBalancerArn
      ? loadBalancerDimension(loadBalancerArn)
      : undefined;
    if (targetGroup && loadBalancer) {
      queried.push({
        arn,
        dimensions: [
          { Name: 'TargetGroup', Value: targetGroup },
          { Name: 'LoadBalancer', Value: loadBalancer },
        ],
      });
    }
  }

  const query = (
    id: string,
    metricName: string,
    stat: string,
    dimensions: Array<{ Name: string; Value: string }>,
  ): MetricDataQuery => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/ApplicationELB',
        MetricName: metricName,
        Dimensions: dimensions,
      },
      Period: METRIC_PERIOD_SECONDS,
      Stat: stat,
    },
    ReturnData: true,
  });
  const results = new Map<string, MetricDataResult>();
  const batches = chunk(
    queried.map((group, i) => ({ ...group, i })),
    METRIC_QUERIES_PER_CALL / 2,
  );
  await Promise.all(
    batches.map(async batch => {
      const pages = await collectPages(async NextToken => {
        const page = await limit('GetMetricData', () =>
          clients.cloudWatch.send(
            new GetMetricDataCommand({
              MetricDataQueries: batch.flatMap(({ i, dimensions }) => [
                query(`h${i}`, 'HealthyHostCount', 'Minimum', dimensions),
                query(`u${i}`, 'UnHealthyHostCount', 'Maximum', dimensions),
              ]),
              StartTime: new Date(now.getTime() - METRIC_WINDOW_MS),
              EndTime: now,
              ScanBy: 'TimestampDescending',
              NextToken,
            }),
            sendOptions,
          ),
        );
        return { items: page.MetricDataResults, nextToken: page.NextToken };
      });
      for (const result of pages) {
        // A later page continues the datapoints of the same query.
        const earlier = result.Id ? results.get(result.Id) : undefined;
        if (earlier) {
          earlier.Timestamps = [
            ...(earlier.Timestamps ?? []),
            ...(result.Timestamps ?? []),
          ];
          earlier.Values = [
            ...(earlier.Values ?? []),
            ...(result.Values ?? []),
          ];
        } else if (result.Id) {
          results.set(result.Id, { ...result });
        }
      }
    }),
  );

  const latest = (id: string) => {
    const result = results.get(id);
    const timestamps = result?.Timestamps ?? [];
    const values = result?.Values ?? [];
    let at: Date | undefined;
    let value: number | undefined;
    timestamps.forEach((timestamp, index) => {
      if (!at || timestamp > at) {
        at = timestamp;
        value = values[index];
      }
    });
    return at && value !== undefined ? { at, value } : undefined;
  };
  const counts = new Map<string, TargetGroupHealth>();
  queried.forEach(({ arn }, i) => {
    const healthy = latest(`h${i}`);
    const unhealthy = latest(`u${i}`);
    if (healthy && unhealthy) {
      counts.set(arn, {
        targetGroupArn: arn,
        healthy: Math.round(healthy.value),
        unhealthy: Math.round(unhealthy.value),
        source: 'CloudWatch',
        at: (healthy.at < unhealthy.at
          ? healthy.at
          : unhealthy.at
        ).toISOString(),
      });
    }
  });
  return counts;
}
