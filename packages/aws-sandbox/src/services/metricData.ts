import { AwsError, requireMember } from '../errors';
import type { OperationContext } from '../protocols/types';
import {
  ELB_NAMESPACE,
  serviceOfTargetGroupDimensions,
  TARGET_COUNT_METRICS,
  targetCountsAtMinute,
} from '../world/elbMetrics';
import { MINUTE, SECOND } from '../world/time';

const INVALID = 'InvalidParameterValue';
const VALIDATION = 'ValidationError';
const MAX_QUERIES = 500;
const DEFAULT_MAX_DATAPOINTS = 100_800;
const ID_PATTERN = /^[a-z][a-zA-Z0-9_]*$/;
/** CloudWatch has a load balancer's metrics of a minute about a minute later. */
const PUBLISH_DELAY = MINUTE;

const { ceil, max, min } = Math;

const STATISTICS: Record<string, (samples: number[]) => number> = {
  Minimum: samples => samples.reduce((a, b) => (b < a ? b : a)),
  Maximum: samples => samples.reduce((a, b) => (b > a ? b : a)),
  Sum: samples => samples.reduce((a, b) => a + b, 0),
  Average: samples => samples.reduce((a, b) => a + b, 0) / samples.length,
  SampleCount: samples => samples.length,
};

interface Dimension {
  Name?: string;
  Value?: string;
}

interface MetricDataQuery {
  Id?: string;
  MetricStat?: {
    Metric?: {
      Namespace?: string;
      MetricName?: string;
      Dimensions?: Dimension[];
    };
    Period?: number;
    Stat?: string;
  };
  Expression?: string;
  Label?: string;
  ReturnData?: boolean;
}

interface QueryResult {
  Id: string;
  Label: string;
  /** Start of each published period, in ScanBy order. */
  periodStarts: number[];
  valueAt: (periodStart: number) => number;
}

function required(value: unknown, name: string) {
  requireMember(value, name, VALIDATION);
}

/** awsJson sends epoch seconds; accept ISO strings too. */
function timestamp(value: unknown, name: string): number {
  required(value, name);
  const ms =
    typeof value === 'number' ? value * SECOND : Date.parse(String(value));
  if (Number.isNaN(ms)) {
    throw new AwsError(INVALID, `The parameter ${name} is not a valid time`);
  }
  return ms;
}

function checkQueries(queries: MetricDataQuery[]) {
  if (queries.length > MAX_QUERIES) {
    throw new AwsError(
      VALIDATION,
      `1 validation error detected: Value at 'metricDataQueries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_QUERIES}`,
    );
  }
  const ids = new Set<string>();
  queries.forEach((query, i) => {
    const field = `MetricDataQueries.member.${i + 1}`;
    const id = query.Id;
    required(id, `${field}.Id`);
    if (!ID_PATTERN.test(id!)) {
      throw new AwsError(
        VALIDATION,
        `The value ${id} for parameter ${field}.Id is not valid: an Id starts with a lowercase letter and holds only letters, numbers and underscores.`,
      );
    }
    if (ids.has(id!)) {
      throw new AwsError(
        VALIDATION,
        `The values for parameter Id in MetricDataQueries must be unique: ${id} is used more than once.`,
      );
    }
    ids.add(id!);
    if (query.Expression !== undefined) {
      throw new AwsError(
        VALIDATION,
        `${field}.Expression: the AWS sandbox does not evaluate metric math or SEARCH expressions; query each metric with MetricStat instead.`,
      );
    }
    const stat = query.MetricStat;
    if (!stat) {
      throw new AwsError(
        VALIDATION,
        `${field} must have exactly one of MetricStat or Expression.`,
      );
    }
    required(stat.Metric?.Namespace, `${field}.MetricStat.Metric.Namespace`);
    required(stat.Metric?.MetricName, `${field}.MetricStat.Metric.MetricName`);
    required(stat.Period, `${field}.MetricStat.Period`);
    required(stat.Stat, `${field}.MetricStat.Stat`);
    const period = Number(stat.Period);
    if (!Number.isInteger(period) || period <= 0 || period % 60 !== 0) {
      throw new AwsError(
        INVALID,
        `The parameter ${field}.MetricStat.Period must be a multiple of 60.`,
      );
    }
    if (!STATISTICS[stat.Stat!]) {
      throw new AwsError(
        INVALID,
        `The parameter ${field}.MetricStat.Stat must be one of ${Object.keys(
          STATISTICS,
        ).join(', ')}: the sandbox computes no other statistics.`,
      );
    }
  });
}

function decodeToken(token: string): number {
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64').toString());
    if (Number.isInteger(offset) && offset > 0) return offset;
  } catch {
    // answered below as CloudWatch does
  }
  throw new AwsError('InvalidNextToken', 'The service cannot parse NextToken.');
}

/**
 * CloudWatch GetMetricData over the sandbox's metrics: the target counts of
 * each target group behind the environment's load balancer. Metrics the
 * sandbox does not publish answer no datapoints, as CloudWatch does.
 */
export function getMetricData(ctx: OperationContext) {
  const input = ctx.input;
  required(input.MetricDataQueries, 'metricDataQueries');
  if (!Array.isArray(input.MetricDataQueries)) {
    throw new AwsError(VALIDATION, 'MetricDataQueries must be a list');
  }
  const queries: MetricDataQuery[] = input.MetricDataQueries;
  checkQueries(queries);
  const start = timestamp(input.StartTime, 'StartTime');
  const end = timestamp(input.EndTime, 'EndTime');
  if (start >= end) {
    throw new AwsError(
      INVALID,
      'The parameter StartTime must be less than the parameter EndTime.',
    );
  }
  const scanBy = input.ScanBy ?? 'TimestampDescending';
  if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending') {
    throw new AwsError(
      VALIDATION,
      `1 validation error detected: Value '${scanBy}' at 'scanBy' failed to satisfy constraint: Member must satisfy enum value set: [TimestampDescending, TimestampAscending]`,
    );
  }
  const maxDatapoints =
    input.MaxDatapoints === undefined || input.MaxDatapoints === null
      ? DEFAULT_MAX_DATAPOINTS
      : Number(input.MaxDatapoints);
  if (!Number.isInteger(maxDatapoints) || maxDatapoints < 1) {
    throw new AwsError(
      INVALID,
      'The parameter MaxDatapoints must be a positive integer.',
    );
  }
  const offset = input.NextToken ? decodeToken(input.NextToken) : 0;

  const published = ctx.now - PUBLISH_DELAY;
  // first the periods of every query (cheap), then values for this page only
  const results: QueryResult[] = queries
    .filter(query => query.ReturnData !== false)
    .map(query => {
      const stat = query.MetricStat!;
      const metric = stat.Metric!;
      const result: QueryResult = {
        Id: query.Id!,
        Label: query.Label ?? metric.MetricName!,
        periodStarts: [],
        valueAt: () => 0,
      };
      const count = TARGET_COUNT_METRICS[metric.MetricName!];
      const target =
        metric.Namespace === ELB_NAMESPACE && count
          ? serviceOfTargetGroupDimensions(
              ctx.world,
              ctx.account,
              ctx.region,
              metric.Dimensions ?? [],
            )
          : undefined;
      if (!target || !count) return result;
      const period = Number(stat.Period) * SECOND;
      const aggregate = STATISTICS[stat.Stat!];
      // whole periods inside [start, end) that CloudWatch has published by now
      for (
        let at = ceil(start / period) * period;
        at + period <= end && at + period <= published;
        at += period
      ) {
        result.periodStarts.push(at);
      }
      if (scanBy === 'TimestampDescending') result.periodStarts.reverse();
      result.valueAt = at => {
        const samples: number[] = [];
        for (let minute = at; minute < at + period; minute += MINUTE) {
          samples.push(
            count(
              targetCountsAtMinute(target.environment, target.service, minute),
            ),
          );
        }
        return aggregate(samples);
      };
      return result;
    });

  // MaxDatapoints counts across all queries; a page continues a query's datapoints
  const pageEnd = offset + maxDatapoints;
  const page = [];
  let position = 0;
  for (const result of results) {
    const size = result.periodStarts.length;
    const first = position;
    position += size;
    const from = max(first, offset);
    const to = min(first + size, pageEnd);
    if (size === 0 ? offset !== 0 : from >= to) continue;
    const periodStarts = result.periodStarts.slice(from - first, to - first);
    page.push({
      Id: result.Id,
      Label: result.Label,
      Timestamps: periodStarts.map(at => new Date(at)),
      Values: periodStarts.map(result.valueAt),
      StatusCode: first + size > pageEnd ? 'PartialData' : 'Complete',
    });
  }
  return {
    MetricDataResults: page,
    NextToken:
      position > pageEnd
        ? Buffer.from(JSON.stringify({ offset: pageEnd })).toString('base64')
        : undefined,
    Messages: [],
  };
}
