import { Link, Table, TableColumn } from '@backstage/core-components';
import {
  EcsService,
  ecsServiceConsoleUrl,
  HealthStatus,
  ServiceEvaluation,
} from '@kler/plugin-environments-common';
import { HealthStatusIndicator } from '../shared/HealthStatusIndicator';

export interface ServiceRow {
  serviceName: string;
  status: HealthStatus;
  runningCount: number;
  desiredCount: number;
  pendingCount: number;
  rolloutState: string;
  problemCount: number;
  consoleUrl: string;
}

const STATUS_ORDER: HealthStatus[] = ['error', 'warning', 'unknown', 'ok'];

export function serviceRows(
  services: EcsService[],
  evaluations: ServiceEvaluation[],
  location: { region: string; cluster: string },
): ServiceRow[] {
  const byName = new Map(evaluations.map(e => [e.serviceName, e]));
  return services.map(service => {
    const evaluation = byName.get(service.serviceName);
    const primary =
      service.deployments.find(d => d.status === 'PRIMARY') ??
      service.deployments[0];
    return {
      serviceName: service.serviceName,
      status: evaluation?.status ?? 'unknown',
      runningCount: service.runningCount,
      desiredCount: service.desiredCount,
      pendingCount: service.pendingCount,
      rolloutState: primary?.rolloutState ?? '-',
      problemCount: evaluation?.problems.length ?? 0,
      consoleUrl: ecsServiceConsoleUrl(
        location.region,
        location.cluster,
        service.serviceName,
      ),
    };
  });
}

const columns: TableColumn<ServiceRow>[] = [
  {
    title: 'Service',
    field: 'serviceName',
    highlight: true,
    render: row => <Link to={row.consoleUrl}>{row.serviceName}</Link>,
  },
  {
    title: 'Status',
    field: 'status',
    customSort: (a, b) =>
      STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status),
    render: row => (
      <HealthStatusIndicator status={row.status} subject={row.serviceName} />
    ),
  },
  {
    title: 'Running / desired',
    field: 'runningCount',
    type: 'numeric',
    customSort: (a, b) =>
      a.runningCount / Math.max(1, a.desiredCount) -
        b.runningCount / Math.max(1, b.desiredCount) ||
      a.serviceName.localeCompare(b.serviceName),
    render: row => `${row.runningCount} / ${row.desiredCount}`,
  },
  { title: 'Pending', field: 'pendingCount', type: 'numeric' },
  { title: 'Rollout', field: 'rolloutState' },
  { title: 'Problems', field: 'problemCount', type: 'numeric' },
];

/** Every service of the environment; sortable, searchable, paged for big clusters. */
export const ServicesTable = (props: { rows: ServiceRow[] }) => (
  <Table<ServiceRow>
    title={`Services (${props.rows.length})`}
    columns={columns}
    data={props.rows}
    options={{
      paging: props.rows.length > 20,
      pageSize: 20,
      emptyRowsWhenPaging: false,
      pageSizeOptions: [20, 50, 100],
      padding: 'dense',
      search: true,
    }}
  />
);
