import { InfoCard, Link } from '@backstage/core-components';
import Box from '@mui/material/Box';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import {
  autoScalingGroupConsoleUrl,
  BackupState,
  EcsCluster,
  ecsClusterInfrastructureConsoleUrl,
  RiskCounts,
  WellArchitectedReview,
  wellArchitectedLensReviewConsoleUrl,
} from '@kler/plugin-environments-common';
import { BackupCoverageTable } from '../shared/BackupCoverageTable';
import { backupCoverageRows } from '../shared/backupCoverage';
import { HealthStatusIndicator } from '../shared/HealthStatusIndicator';
import { BackupJobStrip } from './BackupJobStrip';

export const CapacityCard = (props: {
  cluster?: EcsCluster;
  region: string;
}) => {
  const { cluster, region } = props;
  return (
    <InfoCard
      title="Capacity"
      deepLink={
        cluster
          ? {
              title: 'Cluster infrastructure in the console',
              link: ecsClusterInfrastructureConsoleUrl(
                region,
                cluster.clusterName,
              ),
            }
          : undefined
      }
    >
      {!cluster ? (
        <Typography variant="body2" color="text.secondary">
          The cluster could not be read.
        </Typography>
      ) : (
        <>
          <Typography variant="body2">
            {cluster.runningTasksCount} tasks running,{' '}
            {cluster.pendingTasksCount} pending, {cluster.activeServicesCount}{' '}
            services, {cluster.registeredContainerInstancesCount} container
            instances
          </Typography>
          {cluster.capacityProviders.length === 0 && (
            <Typography variant="body2" color="text.secondary">
              No EC2 capacity providers (Fargate only).
            </Typography>
          )}
          {cluster.capacityProviders.map(provider => {
            const group = provider.autoScalingGroup;
            return (
              <Box
                key={provider.name}
                mt={2}
                component="section"
                aria-label={`Capacity provider ${provider.name}`}
              >
                <Typography variant="subtitle2" component="h4">
                  {provider.name}
                </Typography>
                <Typography variant="body2">
                  Managed scaling {provider.managedScalingStatus ?? 'unknown'}
                  {provider.targetCapacity !== undefined &&
                    `, target capacity ${provider.targetCapacity}%`}
                </Typography>
                {group && (
                  <>
                    <Typography variant="body2">
                      <Link
                        to={autoScalingGroupConsoleUrl(
                          region,
                          group.autoScalingGroupName,
                        )}
                      >
                        {group.autoScalingGroupName}
                      </Link>
                      : min {group.minSize} / desired {group.desiredCapacity} /
                      max {group.maxSize}
                    </Typography>
                    <Table
                      size="small"
                      aria-label={`Instances of ${group.autoScalingGroupName}`}
                    >
                      <TableHead>
                        <TableRow>
                          <TableCell>Instance</TableCell>
                          <TableCell>Type</TableCell>
                          <TableCell>Zone</TableCell>
                          <TableCell>Lifecycle</TableCell>
                          <TableCell>Health</TableCell>
                        </TableRow>
                      </TableHead>
                      <TableBody>
                        {group.instances.map(instance => (
                          <TableRow key={instance.instanceId}>
                            <TableCell>{instance.instanceId}</TableCell>
                            <TableCell>
                              {instance.instanceType ?? '-'}
                            </TableCell>
                            <TableCell>
                              {instance.availabilityZone ?? '-'}
                            </TableCell>
                            <TableCell>{instance.lifecycleState}</TableCell>
                            <TableCell>
                              <HealthStatusIndicator
                                status={
                                  instance.healthStatus === 'Healthy'
                                    ? 'ok'
                                    : 'error'
                                }
                                subject={`Instance ${instance.instanceId}`}
                              >
                                {instance.healthStatus}
                              </HealthStatusIndicator>
                            </TableCell>
                          </TableRow>
                        ))}
                      </TableBody>
                    </Table>
                  </>
                )}
              </Box>
            );
          })}
        </>
      )}
    </InfoCard>
  );
};

export const BackupCard = (props: {
  backup?: BackupState;
  region: string;
  readAt: string;
}) => {
  const { backup, region, readAt } = props;
  return (
    <InfoCard title="Backups">
      {!backup ? (
        <Typography variant="body2" color="text.secondary">
          No backup data in the snapshot.
        </Typography>
      ) : (
        <>
          <Typography variant="body2" gutterBottom>
            Vault {backup.vaultName ?? '-'} · {backup.plans.length} plans ·{' '}
            {backup.jobs.length} jobs in the last 7 days
          </Typography>
          <BackupCoverageTable
            rows={backupCoverageRows(backup)}
            region={region}
          />
          <Box mt={2}>
            <Typography variant="subtitle2" component="h4" gutterBottom>
              Job history
            </Typography>
            <BackupJobStrip jobs={backup.jobs} end={new Date(readAt)} />
          </Box>
        </>
      )}
    </InfoCard>
  );
};

const RISK_KEYS: Array<keyof RiskCounts> = [
  'HIGH',
  'MEDIUM',
  'NONE',
  'UNANSWERED',
];

export const WellArchitectedCard = (props: {
  review?: WellArchitectedReview;
  region: string;
}) => {
  const { review, region } = props;
  if (!review) {
    return (
      <InfoCard title="Well-Architected">
        <Typography variant="body2" color="text.secondary">
          No Well-Architected review in the snapshot.
        </Typography>
      </InfoCard>
    );
  }
  const highRisks = review.improvements.filter(i => i.risk === 'HIGH');
  const pillarNames = new Map(
    review.pillars.map(p => [p.pillarId, p.pillarName]),
  );
  return (
    <InfoCard
      title="Well-Architected"
      subheader={`${review.workloadName} · ${
        review.lensName ?? review.lensAlias
      }`}
      deepLink={{
        title: 'Lens review in the console',
        link: wellArchitectedLensReviewConsoleUrl(
          region,
          review.workloadId,
          review.lensAlias,
        ),
      }}
    >
      <Table size="small" aria-label="Risks per pillar">
        <TableHead>
          <TableRow>
            <TableCell>Pillar</TableCell>
            {RISK_KEYS.map(key => (
              <TableCell key={key} align="right">
                {key.charAt(0) + key.slice(1).toLocaleLowerCase('en-US')}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {review.pillars.map(pillar => (
            <TableRow key={pillar.pillarId}>
              <TableCell>{pillar.pillarName}</TableCell>
              {RISK_KEYS.map(key => (
                <TableCell key={key} align="right">
                  {pillar.riskCounts[key] ?? 0}
                </TableCell>
              ))}
            </TableRow>
          ))}
          <TableRow>
            <TableCell>
              <strong>Total</strong>
            </TableCell>
            {RISK_KEYS.map(key => (
              <TableCell key={key} align="right">
                <strong>{review.riskCounts[key] ?? 0}</strong>
              </TableCell>
            ))}
          </TableRow>
        </TableBody>
      </Table>
      <Box mt={2} component="section" aria-label="High-risk items">
        <Typography variant="subtitle2" component="h4" gutterBottom>
          High-risk items ({highRisks.length})
        </Typography>
        {highRisks.length === 0 ? (
          <Typography variant="body2" color="text.secondary">
            No high risks.
          </Typography>
        ) : (
          highRisks.map(item => (
            <Typography
              key={`${item.pillarId}/${item.questionId}`}
              variant="body2"
            >
              {pillarNames.get(item.pillarId) ?? item.pillarId}:{' '}
              {item.improvementPlanUrl ? (
                <Link to={item.improvementPlanUrl}>{item.questionTitle}</Link>
              ) : (
                item.questionTitle
              )}
            </Typography>
          ))
        )}
      </Box>
    </InfoCard>
  );
};
