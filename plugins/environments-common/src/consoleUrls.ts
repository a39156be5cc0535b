/*
 * Links into the AWS console for the resources a problem is about. Every link
 * names the environment's region, both in the host and in the query, as the
 * console itself does.
 */

function consoleHome(region: string): string {
  return `https://${region}.console.aws.amazon.com`;
}

/** @public */
export function ecsClusterConsoleUrl(region: string, cluster: string): string {
  return `${consoleHome(region)}/ecs/v2/clusters/${encodeURIComponent(
    cluster,
  )}/services?region=${region}`;
}

/** @public */
export function ecsClusterInfrastructureConsoleUrl(
  region: string,
  cluster: string,
): string {
  return `${consoleHome(region)}/ecs/v2/clusters/${encodeURIComponent(
    cluster,
  )}/infrastructure?region=${region}`;
}

/** The tabs of an ECS service's page in the console. */
export type EcsServiceConsoleTab =
  | 'health'
  | 'tasks'
  | 'deployments'
  | 'events';

/** @public */
export function ecsServiceConsoleUrl(
  region: string,
  cluster: string,
  serviceName: string,
  tab: EcsServiceConsoleTab = 'health',
): string {
  return `${consoleHome(region)}/ecs/v2/clusters/${encodeURIComponent(
    cluster,
  )}/services/${encodeURIComponent(serviceName)}/${tab}?region=${region}`;
}

/** @public */
export function cloudWatchAlarmConsoleUrl(
  region: string,
  alarmName: string,
): string {
  return `${consoleHome(
    region,
  )}/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(
    alarmName,
  )}`;
}

/** @public */
export function targetGroupConsoleUrl(
  region: string,
  targetGroupArn: string,
): string {
  return `${consoleHome(
    region,
  )}/ec2/home?region=${region}#TargetGroup:targetGroupArn=${targetGroupArn}`;
}

/** @public */
export function autoScalingGroupConsoleUrl(
  region: string,
  autoScalingGroupName: string,
): string {
  return `${consoleHome(
    region,
  )}/ec2/home?region=${region}#AutoScalingGroupDetails:id=${encodeURIComponent(
    autoScalingGroupName,
  )};view=details`;
}

/** @public */
export function backupJobConsoleUrl(
  region: string,
  backupJobId: string,
): string {
  return `${consoleHome(
    region,
  )}/backup/home?region=${region}#/jobs/backup/details/${encodeURIComponent(
    backupJobId,
  )}`;
}

/** @public */
export function backupProtectedResourceConsoleUrl(
  region: string,
  resourceArn: string,
): string {
  return `${consoleHome(
    region,
  )}/backup/home?region=${region}#/resources/${encodeURIComponent(
    resourceArn,
  )}`;
}

/** @public */
export function backupPlansConsoleUrl(region: string): string {
  return `${consoleHome(region)}/backup/home?region=${region}#/backupplan`;
}

/** @public */
export function backupPlanConsoleUrl(
  region: string,
  backupPlanId: string,
): string {
  return `${consoleHome(
    region,
  )}/backup/home?region=${region}#/backupplan/details/${encodeURIComponent(
    backupPlanId,
  )}`;
}

/** @public */
export function wellArchitectedWorkloadConsoleUrl(
  region: string,
  workloadId?: string,
): string {
  const base = `${consoleHome(region)}/wellarchitected/home?region=${region}`;
  return workloadId
    ? `${base}#/workload/${encodeURIComponent(workloadId)}/overview`
    : `${base}#/workloads`;
}

/** @public */
export function wellArchitectedLensReviewConsoleUrl(
  region: string,
  workloadId: string,
  lensAlias: string,
): string {
  return `${consoleHome(
    region,
  )}/wellarchitected/home?region=${region}#/workload/${encodeURIComponent(
    workloadId,
  )}/lens/${encodeURIComponent(lensAlias)}`;
}

/** IAM is global: its console has no region. */
export const IAM_ROLES_CONSOLE_URL =
  'https://console.aws.amazon.com/iam/home#/roles';
