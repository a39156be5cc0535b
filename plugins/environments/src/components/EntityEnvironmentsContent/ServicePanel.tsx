import { Link } from '@backstage/core-components';
import Box from '@mui/material/Box';
import Divider from '@mui/material/Divider';
import Typography from '@mui/material/Typography';
import {
  cloudWatchAlarmConsoleUrl,
  EcsService,
  ecsServiceConsoleUrl,
  EnvironmentSummary,
  HealthStatus,
  ServiceEvaluation,
  serviceCellOf,
} from '@kler/plugin-environments-common';
import { HealthStatusIndicator } from '../shared/HealthStatusIndicator';
import { formatDateTime } from '../shared/labels';
import { ProblemList } from '../shared/ProblemList';
import { ServiceStatusCell } from '../shared/ServiceStatusCell';
import { CapacityChart } from './CapacityChart';
import { CapacityPoint } from './serviceHistory';
import { countTargets } from './targetCounts';

const RECENT_ITEMS = 5;

// A group, not a landmark: every service panel has the same sections.
const Section = (props: { title: string; children: React.ReactNode }) => (
  <Box role="group" mt={2} aria-label={props.title}>
    <Typography variant="subtitle2" component="h4" gutterBottom>
      {props.title}
    </Typography>
    {props.children}
  </Box>
);

const None = (props: { text: string }) => (
  <Typography variant="body2" color="text.secondary">
    {props.text}
  </Typography>
);

const HealthSection = (props: {
  service: EcsService;
  evaluation: ServiceEvaluation;
  environmentTitle: string;
}) => {
  const { service, evaluation, environmentTitle } = props;
  const cell = serviceCellOf(service, evaluation);
  const primary =
    service.deployments.find(d => d.status === 'PRIMARY') ??
    service.deployments[0];
  return (
    <Section title="Health">
      <ServiceStatusCell
        cell={cell}
        serviceName={service.serviceName}
        environmentTitle={environmentTitle}
      />
      {primary && (
        <Typography variant="body2">
          Rollout: {primary.rolloutState ?? 'unknown'}
          {primary.failedTasks > 0 && `, ${primary.failedTasks} failed tasks`}
          {primary.rolloutStateReason && ` (${primary.rolloutStateReason})`}
        </Typography>
      )}
      {service.deployments.length > 1 && (
        <Typography variant="body2" color="text.secondary">
          {service.deployments.length} deployments active
        </Typography>
      )}
    </Section>
  );
};

const StoppedTasksSection = (props: { service: EcsService }) => {
  const stopped = props.service.tasks
    .filter(task => task.lastStatus === 'STOPPED')
    .slice(0, RECENT_ITEMS);
  return (
    <Section title="Stopped tasks">
      {stopped.length === 0 ? (
        <None text="No tasks stopped in the last hour." />
      ) : (
        stopped.map(task => (
          <Box key={task.taskArn} mb={1}>
            <Typography variant="body2">
              {formatDateTime(task.stoppedAt)}: {task.stopCode ?? 'stopped'}
              {task.stoppedReason && ` – ${task.stoppedReason}`}
            </Typography>
            {task.containers
              .filter(c => c.exitCode !== undefined || c.reason)
              .map(container => (
                <Typography
                  key={container.name}
                  variant="body2"
                  color="text.secondary"
                >
                  {container.name}: exit code {container.exitCode ?? '-'}
                  {container.reason && ` (${container.reason})`}
                </Typography>
              ))}
          </Box>
        ))
      )}
    </Section>
  );
};

const EventsSection = (props: { service: EcsService }) => (
  <Section title="Recent events">
    {props.service.events.length === 0 ? (
      <None text="No recent events." />
    ) : (
      props.service.events.slice(0, RECENT_ITEMS).map(event => (
        <Typography key={event.id} variant="body2">
          <Typography component="span" variant="caption" color="text.secondary">
            {formatDateTime(event.createdAt)}
          </Typography>{' '}
          {event.message}
        </Typography>
      ))
    )}
  </Section>
);

const TargetsSection = (props: { service: EcsService }) => {
  const { service } = props;
  if (service.targetGroupArns.length === 0) return null;
  const { healthy, total, metricsAt } = countTargets(service);
  return (
    <Section title="Load balancer targets">
      <Typography variant="body2">
        {healthy} of {total} targets healthy
        {metricsAt && (
          <Typography component="span" variant="caption" color="text.secondary">
            {' '}
            (load balancer metrics of {formatDateTime(metricsAt)})
          </Typography>
        )}
      </Typography>
      {service.targetHealth
        .filter(t => t.state !== 'healthy')
        .map(target => (
          <Typography
            key={`${target.targetGroupArn}/${target.targetId}/${target.port}`}
            variant="body2"
            color="text.secondary"
          >
            {target.targetId}
            {target.port ? `:${target.port}` : ''} {target.state}
            {target.reason && ` – ${target.reason}`}
            {target.description && `: ${target.description}`}
          </Typography>
        ))}
    </Section>
  );
};

const ALARM_STATUS: Record<string, HealthStatus> = {
  ALARM: 'error',
  OK: 'ok',
};

const alarmStatus = (stateValue: string): HealthStatus =>
  ALARM_STATUS[stateValue] ?? 'unknown';

const AlarmsSection = (props: { service: EcsService; region: string }) => {
  const { service, region } = props;
  const sorted = [...service.alarms].sort(
    (a, b) =>
      Number(b.stateValue === 'ALARM') - Number(a.stateValue === 'ALARM'),
  );
  return (
    <Section title="Alarms">
      {sorted.length === 0 ? (
        <None text="No alarms on this service." />
      ) : (
        sorted.map(alarm => (
          <Box key={alarm.alarmName}>
            <HealthStatusIndicator
              status={alarmStatus(alarm.stateValue)}
              subject={`Alarm ${alarm.alarmName}`}
            >
              <Link to={cloudWatchAlarmConsoleUrl(region, alarm.alarmName)}>
                {alarm.alarmName}
              </Link>
              : {alarm.stateValue}
            </HealthStatusIndicator>
            {alarm.stateValue === 'ALARM' && alarm.stateReason && (
              <Typography variant="body2" color="text.secondary">
                {alarm.stateReason}
              </Typography>
            )}
          </Box>
        ))
      )}
    </Section>
  );
};

const ScalingSection = (props: {
  service: EcsService;
  history: CapacityPoint[];
}) => {
  const { service, history } = props;
  const scaling = service.scaling;
  return (
    <Section title="Scaling">
      {scaling ? (
        <>
          <Typography variant="body2">
            min {scaling.minCapacity} / desired {service.desiredCount} / max{' '}
            {scaling.maxCapacity}
          </Typography>
          {scaling.policies.map(policy => (
            <Typography
              key={policy.policyName}
              variant="body2"
              color="text.secondary"
            >
              {policy.policyName}: {policy.policyType}
              {policy.metric && `, ${policy.metric}`}
              {policy.targetValue !== undefined &&
                ` target ${policy.targetValue}`}
            </Typography>
          ))}
          {scaling.activities.slice(0, RECENT_ITEMS).map(activity => (
            <Typography key={activity.activityId} variant="body2">
              <Typography
                component="span"
                variant="caption"
                color="text.secondary"
              >
                {formatDateTime(activity.startTime)}
              </Typography>{' '}
              {activity.statusCode}: {activity.description}
            </Typography>
          ))}
        </>
      ) : (
        <None text="No auto scaling target: the desired count is fixed." />
      )}
      <CapacityChart
        points={history}
        maxCapacity={scaling?.maxCapacity}
        serviceName={service.serviceName}
      />
    </Section>
  );
};

/** Everything about one ECS service in one environment. */
export const ServicePanel = (props: {
  summary: EnvironmentSummary;
  service: EcsService;
  evaluation: ServiceEvaluation;
  history: CapacityPoint[];
}) => {
  const { summary, service, evaluation, history } = props;
  const environmentTitle = summary.title ?? summary.name;
  return (
    <Box
      component="article"
      aria-label={`${service.serviceName} in ${environmentTitle}`}
    >
      <Box
        sx={{
          display: 'flex',
          justifyContent: 'space-between',
          alignItems: 'baseline',
        }}
      >
        <Typography variant="h6" component="h3">
          {service.serviceName}
        </Typography>
        <Link
          to={ecsServiceConsoleUrl(
            summary.region,
            summary.cluster,
            service.serviceName,
          )}
        >
          ECS console
        </Link>
      </Box>
      <HealthSection
        service={service}
        evaluation={evaluation}
        environmentTitle={environmentTitle}
      />
      <Section title="Problems">
        <ProblemList
          problems={evaluation.problems}
          label={`Problems of ${service.serviceName} in ${environmentTitle}`}
          showEnvironment={false}
          showService={false}
        />
      </Section>
      <ScalingSection service={service} history={history} />
      <TargetsSection service={service} />
      <AlarmsSection service={service} region={summary.region} />
      <StoppedTasksSection service={service} />
      <EventsSection service={service} />
      <Divider sx={{ mt: 2 }} />
    </Box>
  );
};
