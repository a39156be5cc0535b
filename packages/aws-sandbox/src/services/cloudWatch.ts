import { AwsError } from '../errors';
import type { ServiceDefinition } from '../protocols/types';
import { alarmState } from '../world/alarms';
import { CREATED_AT } from '../world/time';
import { getMetricData } from './metricData';
import { paginate, requireArray } from './paging';

const INVALID = 'InvalidParameterValue';

function formatValue(value: number) {
  return Number(value.toFixed(4));
}

export const cloudWatch: ServiceDefinition = {
  id: 'monitoring',
  protocol: 'json',
  jsonVersion: '1.0',
  targetPrefix: 'GraniteServiceVersion20100801',
  queryCompatible: true,
  errors: {
    validation: INVALID,
    throttling: 'Throttling',
    throttlingStatus: 400,
    accessDenied: 'AccessDenied',
    accessDeniedStatus: 403,
  },
  operations: {
    GetMetricData: getMetricData,

    DescribeAlarms: ctx => {
      const names = requireArray<string>(
        ctx.input.AlarmNames,
        'AlarmNames',
        100,
        INVALID,
      );
      const {
        AlarmNamePrefix: prefix,
        StateValue: wantedState,
        AlarmTypes: types,
      } = ctx.input;
      if (prefix && names.length) {
        throw new AwsError(
          INVALID,
          'AlarmNames and AlarmNamePrefix cannot be used together',
        );
      }
      const wantsMetricAlarms =
        !types || types.length === 0 || types.includes('MetricAlarm');
      const candidates = wantsMetricAlarms
        ? ctx.world
            .in(ctx.account, ctx.region)
            .flatMap(world =>
              world.spec.alarms
                .filter(
                  a =>
                    (names.length === 0 || names.includes(a.name)) &&
                    (!prefix || a.name.startsWith(prefix)),
                )
                .map(alarm => ({ world, alarm })),
            )
        : [];
      candidates.sort((a, b) => (a.alarm.name < b.alarm.name ? -1 : 1));
      const withState = (list: typeof candidates) =>
        list.map(c => ({ ...c, state: alarmState(c.world, c.alarm, ctx.now) }));
      const limits = {
        defaultSize: 50,
        maxSize: 100,
        errorCode: INVALID,
        sizeName: 'MaxRecords',
      };
      // states cost a day of metrics each: only compute those on the page
      const { page, nextToken } = wantedState
        ? paginate(
            withState(candidates).filter(c => c.state.state === wantedState),
            ctx.input.NextToken,
            ctx.input.MaxRecords,
            limits,
          )
        : (() => {
            const result = paginate(
              candidates,
              ctx.input.NextToken,
              ctx.input.MaxRecords,
              limits,
            );
            return {
              page: withState(result.page),
              nextToken: result.nextToken,
            };
          })();
      return {
        MetricAlarms: page.map(({ world, alarm, state }) => {
          const comparison =
            alarm.comparison === 'GreaterThanThreshold'
              ? 'greater than'
              : 'greater than or equal to';
          const crossed = state.state === 'ALARM';
          const stamp = new Date(state.latestAt)
            .toISOString()
            .replace('T', ' ')
            .slice(2, 19);
          return {
            AlarmName: alarm.name,
            AlarmArn: world.names.alarmArn(alarm.name),
            AlarmDescription: alarm.service
              ? `${alarm.metric} of ${alarm.service} in ${world.spec.cluster}`
              : `${alarm.metric} of the ${world.spec.cluster} cluster`,
            AlarmConfigurationUpdatedTimestamp: new Date(CREATED_AT),
            ActionsEnabled: true,
            OKActions: [],
            AlarmActions: [
              `arn:aws:sns:${world.spec.region}:${world.spec.account}:kler-${world.spec.name}-alerts`,
            ],
            InsufficientDataActions: [],
            StateValue: state.state,
            StateReason: `Threshold Crossed: 1 datapoint [${formatValue(
              state.latest,
            )} (${stamp})] was ${
              crossed ? '' : 'not '
            }${comparison} the threshold (${alarm.threshold}).`,
            StateReasonData: JSON.stringify({
              version: '1.0',
              queryDate: new Date(ctx.now).toISOString(),
              statistic: 'Average',
              period: 300,
              recentDatapoints: [formatValue(state.latest)],
              threshold: alarm.threshold,
            }),
            StateUpdatedTimestamp: new Date(state.changedAt),
            StateTransitionedTimestamp: new Date(state.changedAt),
            MetricName: alarm.metric,
            Namespace: 'AWS/ECS',
            Statistic: 'Average',
            Dimensions: [
              { Name: 'ClusterName', Value: world.spec.cluster },
              ...(alarm.service
                ? [{ Name: 'ServiceName', Value: alarm.service }]
                : []),
            ],
            Period: 300,
            Unit: 'Percent',
            EvaluationPeriods: alarm.evaluationPeriods,
            DatapointsToAlarm: alarm.evaluationPeriods,
            Threshold: alarm.threshold,
            ComparisonOperator: alarm.comparison,
            TreatMissingData: 'missing',
          };
        }),
        CompositeAlarms: [],
        NextToken: nextToken,
      };
    },
  },
};
