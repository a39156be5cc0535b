import { Link, Table, TableColumn } from '@backstage/core-components';
import {
  compareServiceMatrixRows,
  ecsServiceConsoleUrl,
  EnvironmentDetailsResponse,
  ServiceCell,
  serviceCellsOf,
} from '@kler/plugin-environments-common';
import { ServiceStatusCell } from '../shared/ServiceStatusCell';

export interface ServiceRow {
  serviceName: string;
  cell: ServiceCell;
  consoleUrl: string;
}

/** The environment's services as table rows, worst first (the on-call matrix's order). */
export function serviceRows(
  details: Pick<EnvironmentDetailsResponse, 'snapshot' | 'evaluation'>,
  location: { region: string; cluster: string },
): ServiceRow[] {
  return [...serviceCellsOf(details)]
    .map(([serviceName, cell]) => ({
      serviceName,
      cell,
      consoleUrl: ecsServiceConsoleUrl(
        location.region,
        location.cluster,
        serviceName,
      ),
    }))
    .sort((a, b) => compareRows(a, b));
}

function compareRows(a: ServiceRow, b: ServiceRow): number {
  return compareServiceMatrixRows(
    {
      serviceName: a.serviceName,
      cells: {},
      status: a.cell.status,
      problemCount: a.cell.problemCount,
    },
    {
      serviceName: b.serviceName,
      cells: {},
      status: b.cell.status,
      problemCount: b.cell.problemCount,
    },
  );
}

/** Every service of the environment, worst first; sortable, searchable, paged for big clusters. */
export const ServicesTable = (props: {
  rows: ServiceRow[];
  environmentTitle: string;
}) => {
  const { rows, environmentTitle } = props;
  const columns: TableColumn<ServiceRow>[] = [
    {
      title: 'Service',
      field: 'serviceName',
      highlight: true,
      render: row => <Link to={row.consoleUrl}>{row.serviceName}</Link>,
    },
    {
      title: 'Health',
      field: 'cell.status',
      customSort: compareRows,
      render: row => (
        <ServiceStatusCell
          cell={row.cell}
          serviceName={row.serviceName}
          environmentTitle={environmentTitle}
        />
      ),
    },
    { title: 'Pending', field: 'cell.pendingCount', type: 'numeric' },
    { title: 'Problems', field: 'cell.problemCount', type: 'numeric' },
  ];
  return (
    <Table<ServiceRow>
      title={`Services (${rows.length})`}
      columns={columns}
      data={rows}
      options={{
        paging: rows.length > 20,
        pageSize: 20,
        emptyRowsWhenPaging: false,
        pageSizeOptions: [20, 50, 100],
        padding: 'dense',
        // Draggable headers nest a button in a button (axe: nested-interactive).
        draggable: false,
        search: true,
      }}
    />
  );
};
