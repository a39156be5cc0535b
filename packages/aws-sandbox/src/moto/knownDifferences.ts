/** Calls the sandbox answers that moto 5.2 does not implement. */
export const NOT_IN_MOTO: Record<string, string> = {
  ListBackupSelections:
    'moto 5.2 implements no backup selections (CreateBackupSelection answers HTML)',
  GetBackupSelection:
    'moto 5.2 implements no backup selections (CreateBackupSelection answers HTML)',
};

/**
 * Calls moto answers in the right shape but without the data AWS has: the
 * cross-check asserts that moto still answers none.
 */
export const MOTO_ANSWERS_NO_DATA: Record<string, string> = {
  GetMetricData:
    'moto 5.2 publishes no AWS/ApplicationELB metrics (HealthyHostCount, UnHealthyHostCount): its results have no datapoints, where AWS and the sandbox have one per minute',
};

/**
 * Calls moto answers in the right shape but with made-up data, the same
 * whatever it was seeded with: the cross-check compares them by shape and
 * asserts that moto still answers its fixed data.
 */
export const MOTO_ANSWERS_FIXED_DATA: Record<string, string> = {
  DescribeImageScanFindings:
    "moto 5.2 scans nothing: every scanned image has the same one made-up finding (CVE-9999-9999, HIGH, package moto_fake) unless results are preloaded through its moto-api, so the findings and counts are compared by shape, status and severity values only, where AWS and the sandbox answer the image's own (the sandbox: the scenario's imageScan counts). Nor does moto 5.2 scan on push: the cross-check starts the scan of a repository with scanOnPush itself",
};

const MOTO_OMITS = 'moto 5.2 omits this field, which AWS returns';
const LAUNCH_TYPE =
  "moto's services are seeded with launchType FARGATE; the sandbox's use a capacity provider strategy, and AWS returns one or the other";

/**
 * Shape differences between the sandbox and moto 5.2 that are known and
 * accepted, per call, each with the reason.
 */
export const KNOWN_MOTO_DIFFERENCES: Record<string, Record<string, string>> = {
  DescribeParameters: {
    'moto lacks Parameters[].ARN': MOTO_OMITS,
    'moto lacks Parameters[].Policies': MOTO_OMITS,
  },
  DescribeClusters: {
    'moto lacks clusters[].statistics': MOTO_OMITS,
    'moto lacks clusters[].tags': MOTO_OMITS,
    'moto lacks clusters[].defaultCapacityProviderStrategy': MOTO_OMITS,
  },
  DescribeServices: {
    'moto lacks services[].capacityProviderStrategy': LAUNCH_TYPE,
    'moto lacks services[].deployments[].capacityProviderStrategy': LAUNCH_TYPE,
    'sandbox lacks services[].launchType': LAUNCH_TYPE,
    'sandbox lacks services[].deployments[].launchType': LAUNCH_TYPE,
    'sandbox lacks services[].deployments[].platformFamily':
      'platformFamily is a Fargate field; the sandbox runs tasks on EC2 capacity',
    'sandbox lacks services[].taskSets':
      'AWS returns task sets only for the EXTERNAL deployment controller; moto always lists them',
    'moto lacks services[].deploymentConfiguration': MOTO_OMITS,
    'moto lacks services[].deployments[].networkConfiguration.awsvpcConfiguration.assignPublicIp':
      MOTO_OMITS,
    'moto lacks services[].networkConfiguration.awsvpcConfiguration.assignPublicIp':
      MOTO_OMITS,
    'moto lacks services[].roleArn': MOTO_OMITS,
    'moto lacks services[].createdAt': MOTO_OMITS,
    'moto lacks services[].placementConstraints': MOTO_OMITS,
    'moto lacks services[].placementStrategy': MOTO_OMITS,
    'moto lacks services[].healthCheckGracePeriodSeconds': MOTO_OMITS,
    'moto lacks services[].createdBy': MOTO_OMITS,
    'moto lacks services[].enableECSManagedTags': MOTO_OMITS,
    'moto lacks services[].enableExecuteCommand': MOTO_OMITS,
    'moto lacks services[].availabilityZoneRebalancing': MOTO_OMITS,
  },
  DescribeTasks: {
    'tasks[].containers[].cpu: string vs number':
      'the ECS model types Container.cpu as a string; moto answers a number',
    'tasks[].containers[].memory: string vs number':
      'the ECS model types Container.memory as a string; moto answers a number',
    'sandbox lacks tasks[].containers[].exitCode':
      'AWS has no exit code for a running container; moto answers one',
    'sandbox lacks tasks[].stoppedReason':
      'AWS has no stoppedReason for a running task; moto answers an empty one',
    'moto lacks tasks[].attributes': MOTO_OMITS,
    'moto lacks tasks[].containers[].imageDigest': MOTO_OMITS,
    'moto lacks tasks[].availabilityZone': MOTO_OMITS,
    'moto lacks tasks[].capacityProviderName': MOTO_OMITS,
    'moto lacks tasks[].connectivity': MOTO_OMITS,
    'moto lacks tasks[].connectivityAt': MOTO_OMITS,
    'moto lacks tasks[].containers[].runtimeId': MOTO_OMITS,
    'moto lacks tasks[].containers[].networkBindings': MOTO_OMITS,
    'moto lacks tasks[].cpu': MOTO_OMITS,
    'moto lacks tasks[].createdAt': MOTO_OMITS,
    'moto lacks tasks[].enableExecuteCommand': MOTO_OMITS,
    'moto lacks tasks[].healthStatus': MOTO_OMITS,
    'moto lacks tasks[].memory': MOTO_OMITS,
    'moto lacks tasks[].overrides.containerOverrides': MOTO_OMITS,
    'moto lacks tasks[].overrides.inferenceAcceleratorOverrides': MOTO_OMITS,
    'moto lacks tasks[].pullStartedAt': MOTO_OMITS,
    'moto lacks tasks[].pullStoppedAt': MOTO_OMITS,
    'moto lacks tasks[].startedAt': MOTO_OMITS,
    'moto lacks tasks[].tags': MOTO_OMITS,
    'moto lacks tasks[].version': MOTO_OMITS,
  },
  DescribeTaskDefinition: {
    'moto lacks taskDefinition.requiresAttributes': MOTO_OMITS,
    'moto lacks taskDefinition.registeredAt': MOTO_OMITS,
    'moto lacks taskDefinition.registeredBy': MOTO_OMITS,
  },
  DescribeCapacityProviders: {
    'moto lacks capacityProviders[].autoScalingGroupProvider.managedDraining':
      MOTO_OMITS,
    'moto lacks capacityProviders[].updateStatus': MOTO_OMITS,
    'moto lacks capacityProviders[].tags': MOTO_OMITS,
  },
  DescribeScalableTargets: {
    'moto lacks ScalableTargets[].RoleARN': MOTO_OMITS,
    'moto lacks ScalableTargets[].SuspendedState': MOTO_OMITS,
  },
  DescribeScalingPolicies: {
    'moto lacks ScalingPolicies[].TargetTrackingScalingPolicyConfiguration.ScaleOutCooldown':
      MOTO_OMITS,
    'moto lacks ScalingPolicies[].TargetTrackingScalingPolicyConfiguration.ScaleInCooldown':
      MOTO_OMITS,
    'moto lacks ScalingPolicies[].TargetTrackingScalingPolicyConfiguration.DisableScaleIn':
      MOTO_OMITS,
  },
  DescribeAutoScalingGroups: {
    'moto lacks AutoScalingGroups[].LaunchTemplate':
      "moto's group is seeded with a launch configuration (no EC2 client here to create a launch template); AWS returns one or the other",
    'moto lacks AutoScalingGroups[].Instances[].LaunchTemplate':
      'seeded with a launch configuration, see AutoScalingGroups[].LaunchTemplate',
    'sandbox lacks AutoScalingGroups[].LaunchConfigurationName':
      'seeded with a launch configuration, see AutoScalingGroups[].LaunchTemplate',
    'sandbox lacks AutoScalingGroups[].Instances[].LaunchConfigurationName':
      'seeded with a launch configuration, see AutoScalingGroups[].LaunchTemplate',
    'moto lacks AutoScalingGroups[].TrafficSources': MOTO_OMITS,
  },
  DescribeAlarms: {
    'sandbox lacks MetricAlarms[].Metrics':
      'AWS returns Metrics only for metric-math alarms; moto always answers a list',
    'moto lacks MetricAlarms[].DatapointsToAlarm': MOTO_OMITS,
    'moto lacks MetricAlarms[].TreatMissingData': MOTO_OMITS,
    'moto lacks MetricAlarms[].StateTransitionedTimestamp': MOTO_OMITS,
  },
  GetMetricData: {
    'moto lacks Messages': MOTO_OMITS,
  },
  DescribeTargetHealth: {
    'moto lacks TargetHealthDescriptions[].Target.AvailabilityZone': MOTO_OMITS,
  },
  ListBackupPlans: {
    'sandbox lacks BackupPlansList[].CreatorRequestId':
      'AWS returns CreatorRequestId only when the plan was created with one; moto invents one',
    'moto lacks BackupPlansList[].LastExecutionDate': MOTO_OMITS,
    'moto lacks BackupPlansList[].AdvancedBackupSettings': MOTO_OMITS,
  },
  GetBackupPlan: {
    'sandbox lacks CreatorRequestId':
      'AWS returns CreatorRequestId only when the plan was created with one; moto invents one',
    'moto lacks BackupPlan.Rules[].Lifecycle.OptInToArchiveForSupportedResources':
      MOTO_OMITS,
    'moto lacks BackupPlan.Rules[].EnableContinuousBackup': MOTO_OMITS,
    'moto lacks BackupPlan.AdvancedBackupSettings': MOTO_OMITS,
    'moto lacks LastExecutionDate': MOTO_OMITS,
  },
  GetResources: {
    'moto lacks PaginationToken':
      'AWS answers an empty PaginationToken on the last page; moto omits it',
  },
};

/**
 * Differences between the errors the sandbox and moto 5.2 answer (name,
 * message, HTTP status), per failing call, each with the reason.
 */
export const KNOWN_MOTO_ERROR_DIFFERENCES: Record<
  string,
  Record<string, string>
> = {
  'DescribeSecret of an unknown secret': {
    'httpStatusCode: 400 vs 404':
      "moto 5.2 answers ResourceNotFoundException with HTTP 404; AWS answers 400: Secrets Manager's model gives its errors no HTTP status, and awsJson1_1 answers such a client error with 400",
  },
};
