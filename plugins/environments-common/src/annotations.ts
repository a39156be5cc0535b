/**
 * Annotations on a catalog `Resource` of `spec.type: environment` that say where
 * the environment lives in AWS.
 *
 * @public
 */
export const ENVIRONMENT_ANNOTATIONS = {
  /** `development` or `production`; production gets stricter rules and guarded provisioning. */
  tier: 'kler.io/environment-tier',
  /** The 12-digit AWS account id. */
  accountId: 'kler.io/aws-account-id',
  /** The AWS region, for example `eu-west-1`. */
  region: 'kler.io/aws-region',
  /** The name of the environment's ECS cluster. */
  ecsCluster: 'kler.io/ecs-cluster',
  /** The name of the AWS Backup vault that holds the environment's recovery points. */
  backupVault: 'kler.io/backup-vault',
  /** The id of the environment's AWS Well-Architected Tool workload. */
  wellArchitectedWorkloadId: 'kler.io/well-architected-workload-id',
} as const;

/**
 * The `spec.type` of a catalog `Resource` that is a KLER environment.
 *
 * @public
 */
export const ENVIRONMENT_RESOURCE_TYPE = 'environment';

/**
 * On a `Component` (or `System`): the name of its ECS service, the same in every
 * environment's cluster.
 *
 * @public
 */
export const ECS_SERVICE_NAME_ANNOTATION = 'kler.io/ecs-service-name';

/**
 * The Amazon ECS plugin's annotation, honoured so that teams moving from it keep
 * their catalog: the full ARN of one ECS service.
 *
 * @public
 */
export const AMAZON_ECS_SERVICE_ARN_ANNOTATION =
  'aws.amazon.com/amazon-ecs-service-arn';
