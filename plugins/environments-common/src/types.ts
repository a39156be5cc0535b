/*
 * Snapshot and evaluation types shared by the environments backend and frontend.
 *
 * A snapshot is what the backend read from AWS for one environment at one moment,
 * reduced to the fields the rules and the UI need. Field names follow the AWS API
 * so that a reader of the AWS docs recognises them.
 */

import type { ServiceCell } from './view/serviceMatrix';
import type { TaskDefinitionSummary, WorkloadResources } from './workloadTypes';

/** The tier of an environment; production gets stricter rules and guarded provisioning. */
export type EnvironmentTier = 'development' | 'production';

/** An environment as defined by its catalog Resource and/or the `environments` config. */
export interface EnvironmentDefinition {
  /** The Resource's metadata.name, for example `production`. */
  name: string;
  title?: string;
  tier: EnvironmentTier;
  accountId: string;
  region: string;
  /** ECS cluster name. */
  cluster: string;
  backupVault?: string;
  wellArchitectedWorkloadId?: string;
  /** Entity ref of the catalog Resource, when the environment comes from the catalog. */
  entityRef?: string;
}

export interface EcsDeployment {
  id: string;
  /** PRIMARY, ACTIVE or INACTIVE. */
  status: string;
  /** COMPLETED, FAILED or IN_PROGRESS. */
  rolloutState?: string;
  rolloutStateReason?: string;
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  createdAt?: string;
  updatedAt?: string;
}

export interface EcsServiceEvent {
  id: string;
  createdAt: string;
  message: string;
}

export interface EcsContainer {
  name: string;
  /** The image the container runs, as the task reports it. */
  image?: string;
  /** The digest of the image the container runs (`sha256:...`), once pulled. */
  imageDigest?: string;
  lastStatus?: string;
  exitCode?: number;
  reason?: string;
  healthStatus?: string;
}

export interface EcsTask {
  taskArn: string;
  /** `service:NAME` for tasks started by a service. */
  group?: string;
  taskDefinitionArn?: string;
  lastStatus: string;
  desiredStatus?: string;
  healthStatus?: string;
  startedAt?: string;
  stoppedAt?: string;
  /** TaskFailedToStart, EssentialContainerExited, UserInitiated, ServiceSchedulerInitiated, ... */
  stopCode?: string;
  stoppedReason?: string;
  /** The availability zone the task runs in (`eu-west-1a`). */
  availabilityZone?: string;
  containers: EcsContainer[];
}

export interface TargetHealth {
  targetGroupArn: string;
  targetId: string;
  port?: number;
  /** initial, healthy, unhealthy, unused, draining, unavailable */
  state: string;
  reason?: string;
  description?: string;
}

/** How many targets of one target group pass their health checks. */
export interface TargetGroupHealth {
  targetGroupArn: string;
  healthy: number;
  unhealthy: number;
  /**
   * `DescribeTargetHealth`: every target was described (see `targetHealth`);
   * `CloudWatch`: the load balancer's HealthyHostCount and UnHealthyHostCount
   * metrics, about a minute behind, read for target groups with no unhealthy target.
   */
  source: 'DescribeTargetHealth' | 'CloudWatch';
  /** The minute the CloudWatch counts are for. */
  at?: string;
}

export interface ScalingPolicy {
  policyName: string;
  policyType: string;
  /** Target value of a target-tracking policy. */
  targetValue?: number;
  metric?: string;
}

export interface ScalingActivity {
  activityId: string;
  description: string;
  cause?: string;
  /** Pending, InProgress, Successful, Overridden, Unfulfilled, Failed */
  statusCode: string;
  statusMessage?: string;
  startTime: string;
  endTime?: string;
}

export interface ServiceScaling {
  resourceId: string;
  minCapacity: number;
  maxCapacity: number;
  policies: ScalingPolicy[];
  activities: ScalingActivity[];
}

export interface CloudWatchAlarm {
  alarmName: string;
  alarmArn?: string;
  /** OK, ALARM or INSUFFICIENT_DATA */
  stateValue: string;
  stateReason?: string;
  stateUpdatedTimestamp?: string;
  namespace?: string;
  metricName?: string;
  dimensions: Array<{ name: string; value: string }>;
}

export interface EcsService {
  serviceName: string;
  serviceArn: string;
  status: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  taskDefinition?: string;
  createdAt?: string;
  deployments: EcsDeployment[];
  /** Latest events first, at most a handful. */
  events: EcsServiceEvent[];
  /** Running tasks and tasks stopped in the last hour. */
  tasks: EcsTask[];
  targetGroupArns: string[];
  /** The targets of the target groups that were described one by one. */
  targetHealth: TargetHealth[];
  /** Target counts of each target group; absent in snapshots read before counts existed. */
  targetGroups?: TargetGroupHealth[];
  scaling?: ServiceScaling;
  alarms: CloudWatchAlarm[];
  /**
   * The task definitions of the service's PRIMARY and ACTIVE deployments,
   * the primary's first; absent when they were not read (yet).
   */
  taskDefinitions?: TaskDefinitionSummary[];
}

export interface AutoScalingGroup {
  autoScalingGroupName: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  instances: Array<{
    instanceId: string;
    instanceType?: string;
    availabilityZone?: string;
    lifecycleState: string;
    healthStatus: string;
  }>;
}

export interface CapacityProvider {
  name: string;
  status?: string;
  autoScalingGroupArn?: string;
  autoScalingGroupName?: string;
  /** ENABLED or DISABLED */
  managedScalingStatus?: string;
  targetCapacity?: number;
  autoScalingGroup?: AutoScalingGroup;
}

export interface EcsCluster {
  clusterName: string;
  clusterArn: string;
  status: string;
  runningTasksCount: number;
  pendingTasksCount: number;
  activeServicesCount: number;
  registeredContainerInstancesCount: number;
  capacityProviders: CapacityProvider[];
  /** Alarms on the cluster itself (dimension ClusterName only). */
  alarms: CloudWatchAlarm[];
}

export interface BackupRule {
  ruleName: string;
  scheduleExpression?: string;
  /** Hours between two scheduled backups, derived from the schedule; the RPO. */
  frequencyHours?: number;
  retentionDays?: number;
  targetBackupVaultName: string;
}

/** A tag test of a backup selection: a tag key (without `aws:ResourceTag/`) and a value. */
export interface BackupTagCondition {
  key: string;
  /** `*` matches any characters in the `like` tests. */
  value: string;
}

/**
 * One backup selection of a plan, as AWS Backup evaluates it: a resource is
 * selected when it is not in `notResources` and either matches `resources`
 * (ARNs, `*` wildcards; every resource when empty) and all the `conditions`,
 * or carries one of the tags of `anyOfTags` (the API's `ListOfTags`). A
 * selection with neither resources, conditions nor tags selects every
 * resource.
 */
export interface BackupSelectionCriteria {
  resources: string[];
  notResources: string[];
  /** The API's `ListOfTags` (StringEquals only), any of which selects. */
  anyOfTags: BackupTagCondition[];
  /** The API's `Conditions`, all of which must hold. */
  conditions: {
    stringEquals: BackupTagCondition[];
    stringNotEquals: BackupTagCondition[];
    stringLike: BackupTagCondition[];
    stringNotLike: BackupTagCondition[];
  };
}

export interface BackupPlan {
  backupPlanId: string;
  backupPlanName: string;
  rules: BackupRule[];
  /** Resource ARNs (or ARN patterns) the plan's selections name. */
  resourceArns: string[];
  /**
   * The plan's selections, whole (ARNs, tags and conditions). When absent (a
   * snapshot from before they were read), `resourceArns` alone decides.
   */
  selections?: BackupSelectionCriteria[];
}

export interface BackupJob {
  backupJobId: string;
  resourceArn: string;
  resourceType?: string;
  /** CREATED, PENDING, RUNNING, ABORTING, ABORTED, COMPLETED, FAILED, EXPIRED, PARTIAL */
  state: string;
  statusMessage?: string;
  creationDate: string;
  completionDate?: string;
  backupPlanId?: string;
}

export interface ProtectedResource {
  resourceArn: string;
  resourceType: string;
  resourceName?: string;
  lastBackupTime?: string;
  /** Creation date of the latest completed recovery point in the vault. */
  latestRecoveryPointAt?: string;
  /** The plan whose rules protect this resource, if any. */
  backupPlanId?: string;
}

/** A resource of the environment that should be backed up (EFS, RDS, ...). */
export interface BackupCandidate {
  resourceArn: string;
  resourceType: string;
  resourceName?: string;
  /**
   * The resource's tags that the plans' selections test (only those: other
   * tags are not kept), to decide which plans select it.
   */
  tags?: Record<string, string>;
}

export interface BackupState {
  vaultName?: string;
  plans: BackupPlan[];
  protectedResources: ProtectedResource[];
  /** Jobs of the last 7 days, newest first. */
  jobs: BackupJob[];
  /** Tagged resources of the environment that must be backed up. */
  candidates: BackupCandidate[];
}

export interface RiskCounts {
  HIGH: number;
  MEDIUM: number;
  NONE: number;
  UNANSWERED: number;
  NOT_APPLICABLE?: number;
}

export interface WellArchitectedImprovement {
  pillarId: string;
  questionId: string;
  questionTitle: string;
  /** HIGH, MEDIUM, NONE, UNANSWERED, NOT_APPLICABLE */
  risk: string;
  improvementPlanUrl?: string;
}

export interface WellArchitectedReview {
  workloadId: string;
  workloadName: string;
  lensAlias: string;
  lensName?: string;
  updatedAt?: string;
  riskCounts: RiskCounts;
  pillars: Array<{
    pillarId: string;
    pillarName: string;
    riskCounts: RiskCounts;
  }>;
  improvements: WellArchitectedImprovement[];
}

/** A part of the snapshot that could not be read, for example AccessDenied on Backup. */
export interface AreaReadError {
  area: EnvironmentArea;
  /** The AWS error name, such as AccessDeniedException. */
  name: string;
  message: string;
}

/**
 * A part of a snapshot that a first read has not finished yet. The backend
 * publishes an environment's snapshot as soon as its health is read and again
 * once every part is in: until then the part is pending, its area `unknown`
 * without a problem (`runningTasks`: services list their stopped tasks only).
 * `taskDefinitions` may stay pending over several reads: each describes a
 * bounded number of them, and the next reads the rest; a service whose
 * primary task definition is not in yet has no `taskDefinitions`.
 */
export type SnapshotPart =
  | 'runningTasks'
  | 'taskDefinitions'
  | 'workloadResources'
  | 'scaling'
  | 'backup'
  | 'wellArchitected';

export interface EnvironmentSnapshot {
  environment: EnvironmentDefinition;
  /** ISO time the read started. */
  readAt: string;
  cluster?: EcsCluster;
  services: EcsService[];
  backup?: BackupState;
  wellArchitected?: WellArchitectedReview;
  /** What the task definitions point at: secrets' parameters, image scans, file systems. */
  workloadResources?: WorkloadResources;
  /** Areas that could not be read; the rest of the snapshot is still valid. */
  readErrors: AreaReadError[];
  /** Parts still being read for the first time; absent when the snapshot is whole. */
  pending?: SnapshotPart[];
}

/* ---- Evaluation ---- */

/**
 * What a problem is about. The first four are read from AWS; `provisioning`
 * comes from the environment's run history (plans, applies, drift checks).
 */
export type EnvironmentArea =
  | 'health'
  | 'scaling'
  | 'backup'
  | 'wellArchitected'
  | 'workload'
  | 'provisioning';

export type ProblemSeverity = 'critical' | 'high' | 'medium' | 'low';

export type HealthStatus = 'ok' | 'warning' | 'error' | 'unknown';

export interface Problem {
  /** Stable across refreshes for the same cause, for example `production/shop-api/running-below-desired`. */
  id: string;
  environment: string;
  area: EnvironmentArea;
  severity: ProblemSeverity;
  title: string;
  explanation: string;
  proposedFix: string;
  /** AWS console link to the resource. */
  consoleUrl?: string;
  /** The task or pipeline run the problem is about (`/create/tasks/<id>` or a URL). */
  runUrl?: string;
  /** The ECS service the problem is about, if any. */
  serviceName?: string;
  /** The resource (ARN or name) the problem is about. */
  resource?: string;
}

export interface ServiceEvaluation {
  serviceName: string;
  status: HealthStatus;
  areas: Record<EnvironmentArea, HealthStatus>;
  problems: Problem[];
}

export interface EnvironmentEvaluation {
  environment: string;
  status: HealthStatus;
  areas: Record<EnvironmentArea, HealthStatus>;
  services: ServiceEvaluation[];
  /** Every problem of the environment, worst first. */
  problems: Problem[];
}

/* ---- Run history ---- */

/** A Terraform plan, an apply, or a scheduled read-only plan looking for drift. */
export type EnvironmentRunKind = 'plan' | 'apply' | 'drift';

/** Who ran it: the portal's actions, the environment repository's pipeline, or the drift schedule. */
export type EnvironmentRunSource = 'portal' | 'pipeline' | 'schedule';

/** `skipped`: nothing was planned or applied (a dry run's reasons, unavailable providers). */
export type EnvironmentRunOutcome = 'succeeded' | 'failed' | 'skipped';

/** Resource changes of a plan: what `terraform plan` prints as "N to add, ...". */
export interface ResourceChangeCounts {
  add: number;
  change: number;
  destroy: number;
  /** Resources destroyed and created again (delete and create of one address). */
  replace: number;
}

/** What a run's plan would do (a drift run: what differs from the code), in total and by resource type. */
export interface EnvironmentRunSummary extends ResourceChangeCounts {
  byType: Record<string, ResourceChangeCounts>;
  /** Root module outputs that would change. */
  outputChanges?: number;
}

/** A run as its caller reports it: the body of `POST /environments/:name/runs`. */
export interface EnvironmentRunReport {
  kind: EnvironmentRunKind;
  source: EnvironmentRunSource;
  outcome: EnvironmentRunOutcome;
  /** The user entity ref who started it, or the pipeline's identity. */
  actor?: string;
  /** ISO time the run ended; the time it was reported when absent. */
  at?: string;
  /** The task (`/create/tasks/<id>`) or the pipeline run (an https URL). */
  link?: string;
  summary?: EnvironmentRunSummary;
  /** A short message: what was applied, why it failed or was skipped. */
  message?: string;
}

/** A recorded run of one environment. */
export interface EnvironmentRun extends EnvironmentRunReport {
  id: string;
  environment: string;
  /** The actor reported, or the caller's identity (`plugin:scaffolder`, or the subject of an external access token). */
  actor: string;
  at: string;
  /** The identity of the service that reported the run. */
  reportedBy: string;
}

/* ---- API ---- */

export interface EnvironmentSummary {
  name: string;
  title?: string;
  tier: EnvironmentTier;
  accountId: string;
  region: string;
  cluster: string;
  entityRef?: string;
  status: HealthStatus;
  areas: Record<EnvironmentArea, HealthStatus>;
  counts: {
    services: number;
    servicesWithProblems: number;
    problems: Record<ProblemSeverity, number>;
  };
  /** When the snapshot being served was read; absent if no read ever succeeded. */
  refreshedAt?: string;
  /** True when the latest refresh failed and an older snapshot is served. */
  stale: boolean;
  /** The error of the latest failed refresh. */
  error?: { name: string; message: string };
  /** `sandbox` when the environment is read from the local AWS sandbox. */
  source: 'aws' | 'sandbox';
  /** Parts of the snapshot still being read for the first time (see `SnapshotPart`). */
  pending?: SnapshotPart[];
}

/** GET /environments */
export interface EnvironmentListResponse {
  items: EnvironmentSummary[];
}

/** GET /environments/:name */
export interface EnvironmentDetailsResponse {
  summary: EnvironmentSummary;
  snapshot?: EnvironmentSnapshot;
  evaluation?: EnvironmentEvaluation;
}

export interface EntityServiceInEnvironment {
  service: EcsService;
  evaluation: ServiceEvaluation;
}

/** GET /entity/:namespace/:kind/:name */
export interface EntityEnvironmentsResponse {
  entityRef: string;
  /** The ECS service names the entity maps to. */
  serviceNames: string[];
  environments: Array<{
    summary: EnvironmentSummary;
    services: EntityServiceInEnvironment[];
  }>;
}

/** One service of an environment as the on-call matrix shows it: its cell, by name. */
export interface EnvironmentServiceCell extends ServiceCell {
  serviceName: string;
}

/**
 * GET /environments/:name/services: what the on-call matrix needs of one
 * environment (a cell per service, by name), a small fraction of its details.
 */
export interface EnvironmentServicesResponse {
  summary: EnvironmentSummary;
  items: EnvironmentServiceCell[];
}

/** GET /environments/:name/runs, newest first */
export interface EnvironmentRunListResponse {
  items: EnvironmentRun[];
}

/** GET /problems */
export interface ProblemListResponse {
  items: Problem[];
}
