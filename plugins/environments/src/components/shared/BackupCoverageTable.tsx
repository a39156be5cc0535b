import { Link } from '@backstage/core-components';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import {
  backupJobConsoleUrl,
  backupProtectedResourceConsoleUrl,
} from '@kler/plugin-environments-common';
import { BackupCoverageRow } from './backupCoverage';
import { HealthStatusIndicator } from './HealthStatusIndicator';
import { formatDateTime } from './labels';

const jobStatus = (state?: string) => {
  if (!state) return 'unknown';
  if (state === 'COMPLETED') return 'ok';
  if (['FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'].includes(state))
    return 'error';
  return 'warning';
};

/** Per resource: the plans covering it, its latest recovery point and job. */
export const BackupCoverageTable = (props: {
  rows: BackupCoverageRow[];
  region: string;
}) => {
  const { rows, region } = props;
  if (rows.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        No resources that need backups.
      </Typography>
    );
  }
  return (
    <Table
      size="small"
      aria-label="Backup coverage"
      // narrow entity columns: keep cells tight
      sx={{ '& th, & td': { px: 1, py: 0.75 } }}
    >
      <TableHead>
        <TableRow>
          <TableCell>Resource</TableCell>
          <TableCell>Backup plans</TableCell>
          <TableCell>Latest recovery point</TableCell>
          <TableCell>Latest job</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map(row => (
          <TableRow key={row.resourceArn}>
            <TableCell>
              <Link
                style={{ whiteSpace: 'nowrap' }}
                to={backupProtectedResourceConsoleUrl(region, row.resourceArn)}
              >
                {row.resourceName}
              </Link>
              <Typography
                variant="caption"
                display="block"
                color="text.secondary"
              >
                {row.resourceType}
              </Typography>
            </TableCell>
            <TableCell>
              {row.planNames.length > 0 ? (
                row.planNames.join(', ')
              ) : (
                <HealthStatusIndicator
                  status="error"
                  subject={`${row.resourceName} backup plan`}
                >
                  None
                </HealthStatusIndicator>
              )}
            </TableCell>
            <TableCell>{formatDateTime(row.lastBackupTime)}</TableCell>
            <TableCell>
              {row.latestJob ? (
                <>
                  <HealthStatusIndicator
                    status={jobStatus(row.latestJob.state)}
                    subject={`${row.resourceName} latest backup job`}
                  >
                    <Link
                      to={backupJobConsoleUrl(
                        region,
                        row.latestJob.backupJobId,
                      )}
                    >
                      {row.latestJob.state}
                    </Link>
                  </HealthStatusIndicator>
                  <Typography variant="caption" display="block">
                    {formatDateTime(row.latestJob.creationDate)}
                    {row.latestJob.statusMessage &&
                      ` – ${row.latestJob.statusMessage}`}
                  </Typography>
                </>
              ) : (
                'No job in 7 days'
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
};
