import { memo, useMemo, useRef, useState } from 'react';
import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { useVirtualizer } from '@tanstack/react-virtual';
import { ServiceMatrixRow } from '@kler/plugin-environments-common';
import { StatusIcon, STATUS_TEXT } from '../shared/HealthStatusIndicator';
import { ServiceStatusCell } from '../shared/ServiceStatusCell';
import { useFrozenOrder, useHoldWhileInside } from '../shared/useFrozenOrder';
import { ServiceOwner } from './useServiceMatrix';

const ROW_HEIGHT = 44;
/** Rows rendered beyond the visible ones, so a fast scroll shows no blank. */
const OVERSCAN = 5;

export interface MatrixEnvironment {
  name: string;
  title: string;
  /** Why the environment's column is empty, when it is. */
  unreadReason?: string;
}

/** Whether a row matches the filter text: by service name or component title. */
function matches(
  row: ServiceMatrixRow,
  owner: ServiceOwner | undefined,
  text: string,
): boolean {
  if (!text) return true;
  const needle = text.toLocaleLowerCase('en-US');
  return (
    row.serviceName.toLocaleLowerCase('en-US').includes(needle) ||
    (owner?.title.toLocaleLowerCase('en-US').includes(needle) ?? false)
  );
}

const ServiceName = (props: {
  row: ServiceMatrixRow;
  owner?: ServiceOwner;
  onShowProblems: (serviceName: string) => void;
}) => {
  const { row, owner, onShowProblems } = props;
  const entityRoute = useRouteRef(entityRouteRef);
  const label = owner?.title ?? row.serviceName;
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, minWidth: 0 }}>
      <StatusIcon
        status={row.status}
        label={`${row.serviceName}: ${STATUS_TEXT[row.status]}`}
      />
      <Box sx={{ minWidth: 0, flex: 1 }}>
        {owner ? (
          <Link
            to={`${entityRoute({
              ...owner.entityRef,
              kind: owner.entityRef.kind.toLocaleLowerCase('en-US'),
            })}/environments`}
            noWrap
            display="block"
          >
            {label}
          </Link>
        ) : (
          <Typography variant="body2" noWrap>
            {label}
          </Typography>
        )}
        {owner && owner.title !== row.serviceName && (
          <Typography
            variant="caption"
            color="text.secondary"
            noWrap
            display="block"
            lineHeight={1.2}
          >
            {row.serviceName}
          </Typography>
        )}
      </Box>
      {row.problemCount > 0 && (
        <Button
          size="small"
          variant="text"
          onClick={() => onShowProblems(row.serviceName)}
          aria-label={`${row.problemCount} problem${
            row.problemCount > 1 ? 's' : ''
          } of ${row.serviceName}: show`}
          sx={{ minWidth: 0, whiteSpace: 'nowrap', textTransform: 'none' }}
        >
          {row.problemCount} problem{row.problemCount > 1 ? 's' : ''}
        </Button>
      )}
    </Box>
  );
};

const cellSx = {
  px: 1.5,
  display: 'flex',
  alignItems: 'center',
  minWidth: 0,
  overflow: 'hidden',
} as const;

/** A row only re-renders when its service, place or columns change, not on every keystroke. */
const MatrixRow = memo(
  (props: {
    row: ServiceMatrixRow;
    gone: boolean;
    index: number;
    start: number;
    columns: string;
    environments: MatrixEnvironment[];
    owner?: ServiceOwner;
    onShowProblems: (serviceName: string) => void;
  }) => {
    const { row, gone, index, start, columns, environments, owner } = props;
    return (
      <Box
        role="row"
        aria-rowindex={index + 2}
        data-service={row.serviceName}
        data-status={row.status}
        // The offset changes with every scroll: an inline style, not a class
        // generated per position.
        style={{ transform: `translateY(${start}px)` }}
        sx={{
          position: 'absolute',
          top: 0,
          left: 0,
          width: '100%',
          height: ROW_HEIGHT,
          display: 'grid',
          gridTemplateColumns: columns,
          borderBottom: 1,
          borderColor: 'divider',
          opacity: gone ? 0.5 : 1,
          '&:hover': { bgcolor: 'action.hover' },
        }}
      >
        <Box role="rowheader" sx={cellSx}>
          <ServiceName
            row={row}
            owner={owner}
            onShowProblems={props.onShowProblems}
          />
        </Box>
        {environments.map(environment => (
          <Box role="cell" key={environment.name} sx={cellSx}>
            {environment.unreadReason ? (
              <Typography
                variant="body2"
                color="text.secondary"
                component="span"
              >
                not read
              </Typography>
            ) : (
              <ServiceStatusCell
                cell={row.cells[environment.name]}
                serviceName={row.serviceName}
                environmentTitle={environment.title}
              />
            )}
          </Box>
        ))}
      </Box>
    );
  },
);

/**
 * One row per service and one cell per environment, worst first, filtered
 * by text. Only the rows in view are in the DOM (1,000 services stay
 * fluid); while the pointer or focus is on the matrix an auto-refresh keeps
 * every row where it is.
 */
export const ServiceMatrix = (props: {
  rows: ServiceMatrixRow[];
  environments: MatrixEnvironment[];
  owners: Map<string, ServiceOwner>;
  filterText: string;
  onShowProblems: (serviceName: string) => void;
}) => {
  const { rows, environments, owners, filterText, onShowProblems } = props;
  const [frozen, setFrozen] = useState(false);
  const hold = useHoldWhileInside(setFrozen);
  const ordered = useFrozenOrder(rows, row => row.serviceName, frozen);
  const visible = useMemo(
    () =>
      ordered.filter(({ item }) =>
        matches(item, owners.get(item.serviceName), filterText),
      ),
    [ordered, owners, filterText],
  );
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
  });
  const columns = `minmax(240px, 1fr) repeat(${environments.length}, minmax(220px, 1fr))`;

  return (
    <Box
      role="table"
      aria-label="Services by environment"
      aria-rowcount={visible.length + 1}
      data-testid="service-matrix"
      {...hold}
    >
      <Box role="rowgroup">
        <Box
          role="row"
          aria-rowindex={1}
          sx={{
            display: 'grid',
            gridTemplateColumns: columns,
            borderBottom: 2,
            borderColor: 'divider',
            py: 1,
          }}
        >
          <Box role="columnheader" sx={cellSx}>
            <Typography variant="subtitle2" component="span">
              Service ({visible.length}
              {visible.length !== rows.length && ` of ${rows.length}`})
            </Typography>
          </Box>
          {environments.map(environment => (
            <Box role="columnheader" key={environment.name} sx={cellSx}>
              <Typography variant="subtitle2" component="span" noWrap>
                {environment.title}
              </Typography>
            </Box>
          ))}
        </Box>
      </Box>
      <Box
        ref={scrollRef}
        role="rowgroup"
        tabIndex={0}
        aria-label="Service rows, worst first; scroll for more"
        sx={{
          maxHeight: '50vh',
          overflowY: 'auto',
          position: 'relative',
          '&:focus-visible': {
            outline: 2,
            outlineColor: 'primary.main',
            outlineOffset: -2,
          },
        }}
      >
        {visible.length === 0 ? (
          <Box role="row">
            <Typography
              role="cell"
              variant="body2"
              color="text.secondary"
              sx={{ p: 2 }}
            >
              {rows.length === 0
                ? 'No services in any environment.'
                : `No service matches "${filterText}".`}
            </Typography>
          </Box>
        ) : (
          <Box
            role="presentation"
            sx={{ height: virtualizer.getTotalSize(), position: 'relative' }}
          >
            {virtualizer.getVirtualItems().map(virtualRow => {
              const { item: row, gone } = visible[virtualRow.index];
              return (
                <MatrixRow
                  key={row.serviceName}
                  row={row}
                  gone={gone}
                  index={virtualRow.index}
                  start={virtualRow.start}
                  columns={columns}
                  environments={environments}
                  owner={owners.get(row.serviceName)}
                  onShowProblems={onShowProblems}
                />
              );
            })}
          </Box>
        )}
      </Box>
    </Box>
  );
};
