import { useId, useMemo, useState } from 'react';
import { InfoCard } from '@backstage/core-components';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import FormControlLabel from '@mui/material/FormControlLabel';
import Switch from '@mui/material/Switch';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import CheckIcon from '@mui/icons-material/Check';
import CompareArrowsIcon from '@mui/icons-material/CompareArrows';
import HelpOutlineIcon from '@mui/icons-material/HelpOutline';
import InfoOutlinedIcon from '@mui/icons-material/InfoOutlined';
import {
  buildParityView,
  EntityEnvironmentsResponse,
  PARITY_ATTRIBUTE_LABELS,
  ParityCell,
  ParityRow,
  ParityState,
} from '@kler/plugin-environments-common';

const UNKNOWN_TEXT: Record<
  Extract<ParityCell, { kind: 'unknown' }>['reason'],
  string
> = {
  notDeployed: 'Not deployed here',
  notRead: 'Environment not read yet',
  taskDefinitionsNotRead: 'Task definition not read yet',
  digestNotReported: 'Not reported yet',
};

const STATE_TEXT: Record<ParityState, string> = {
  same: 'Same',
  different: 'Differs',
  unknown: 'Cannot tell',
  notCompared: 'Per environment',
};

const monospace = {
  fontFamily: 'monospace',
  fontSize: '0.8125rem',
  wordBreak: 'break-all',
} as const;

const CellContent = ({ cell }: { cell: ParityCell }) => {
  if (cell.kind === 'unknown') {
    return (
      <Typography variant="body2" color="text.secondary">
        {UNKNOWN_TEXT[cell.reason]}
      </Typography>
    );
  }
  if (cell.kind === 'names') {
    return cell.names.length === 0 ? (
      <Typography variant="body2" color="text.secondary">
        None
      </Typography>
    ) : (
      <Box component="span" sx={monospace}>
        {cell.names.join(', ')}
      </Box>
    );
  }
  return (
    <Box component="span" sx={monospace}>
      {cell.value}
    </Box>
  );
};

/** Same, differs or cannot tell: an icon of its own shape and the word, never colour alone. */
const StateContent = ({ row }: { row: ParityRow }) => {
  const iconProps = {
    fontSize: 'small',
    'aria-hidden': true,
    sx: { verticalAlign: 'text-bottom', mr: 0.5 },
  } as const;
  return (
    <>
      <Box component="span" sx={{ whiteSpace: 'nowrap', fontWeight: 500 }}>
        {row.state === 'different' && (
          <CompareArrowsIcon color="warning" {...iconProps} />
        )}
        {row.state === 'same' && <CheckIcon color="success" {...iconProps} />}
        {row.state === 'unknown' && (
          <HelpOutlineIcon color="disabled" {...iconProps} />
        )}
        {row.state === 'notCompared' && (
          <InfoOutlinedIcon color="disabled" {...iconProps} />
        )}
        {STATE_TEXT[row.state]}
      </Box>
      {row.differences.map(difference => (
        <Typography key={difference} variant="body2" display="block">
          {difference}
        </Typography>
      ))}
    </>
  );
};

function listTitles(titles: string[]): string {
  return titles.length <= 1
    ? titles.join('')
    : `${titles.slice(0, -1).join(', ')} and ${titles[titles.length - 1]}`;
}

function rowLabel(row: ParityRow): string {
  const label = PARITY_ATTRIBUTE_LABELS[row.attribute];
  return row.containerName ? `${label} (${row.containerName})` : label;
}

/**
 * What runs where: the entity's services side by side in every environment
 * (task definition, size, scaling, images, variable and secret names), with
 * what differs between them marked and said in words.
 */
export const ParityTable = (props: {
  response: EntityEnvironmentsResponse;
}) => {
  const view = useMemo(() => buildParityView(props.response), [props.response]);
  const [onlyDifferences, setOnlyDifferences] = useState(false);
  const headingId = useId();
  const differing = view.rows.filter(row => row.state === 'different');
  const rows = onlyDifferences ? differing : view.rows;
  const serviceNames = [...new Set(rows.map(row => row.serviceName))];
  const columns = view.environments.length + 2;

  return (
    <InfoCard
      title={<span id={headingId}>What runs where</span>}
      subheader={`${differing.length} ${
        differing.length === 1 ? 'difference' : 'differences'
      } between ${listTitles(
        view.environments.map(e => e.title),
      )}. Variable and secret names only: values are never read.`}
    >
      {view.taskDefinitionsUnread && (
        <Alert severity="info" sx={{ mb: 1 }}>
          Task definitions not read yet: images, task sizes, variables and
          secrets show once the environments backend has read them.
        </Alert>
      )}
      <FormControlLabel
        control={
          <Switch
            checked={onlyDifferences}
            onChange={event => setOnlyDifferences(event.target.checked)}
          />
        }
        label="Only differences"
      />
      {rows.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          {onlyDifferences
            ? 'No differences between the environments.'
            : 'Nothing to compare.'}
        </Typography>
      ) : (
        <Table
          size="small"
          aria-labelledby={headingId}
          sx={{ '& th, & td': { px: 1, py: 0.75, verticalAlign: 'top' } }}
        >
          <TableHead>
            <TableRow>
              <TableCell component="th" scope="col">
                Attribute
              </TableCell>
              {view.environments.map(environment => (
                <TableCell component="th" scope="col" key={environment.name}>
                  {environment.title}
                </TableCell>
              ))}
              <TableCell component="th" scope="col">
                Parity
              </TableCell>
            </TableRow>
          </TableHead>
          {serviceNames.map(serviceName => (
            // One body per service, its name heading the rows of the group.
            <TableBody key={serviceName}>
              <TableRow>
                <TableCell
                  component="th"
                  scope="rowgroup"
                  colSpan={columns}
                  sx={{ fontWeight: 600 }}
                >
                  Service {serviceName}
                </TableCell>
              </TableRow>
              {rows
                .filter(row => row.serviceName === serviceName)
                .map(row => (
                  <TableRow
                    key={row.key}
                    data-state={row.state}
                    sx={
                      row.state === 'different'
                        ? {
                            // A bar as well as the icon and the word.
                            '& > :first-child': {
                              borderLeft: 4,
                              borderLeftColor: 'warning.main',
                            },
                          }
                        : undefined
                    }
                  >
                    <TableCell component="th" scope="row">
                      {rowLabel(row)}
                    </TableCell>
                    {view.environments.map(environment => (
                      <TableCell key={environment.name}>
                        <CellContent cell={row.cells[environment.name]} />
                      </TableCell>
                    ))}
                    <TableCell>
                      <StateContent row={row} />
                    </TableCell>
                  </TableRow>
                ))}
            </TableBody>
          ))}
        </Table>
      )}
    </InfoCard>
  );
};
