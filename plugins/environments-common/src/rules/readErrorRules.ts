import { IAM_ROLES_CONSOLE_URL } from '../consoleUrls';
import { AreaReadError, EnvironmentArea, Problem } from '../types';
import { RuleContext, createProblem } from './context';
import { WORKLOAD_NOT_FOUND_ERROR } from './wellArchitectedRules';

/**
 * The IAM actions the environments backend needs to read each area.
 *
 * @public
 */
export const ENVIRONMENT_AREA_IAM_ACTIONS: Record<EnvironmentArea, string[]> = {
  health: [
    'ecs:DescribeClusters',
    'ecs:ListServices',
    'ecs:DescribeServices',
    'ecs:ListTasks',
    'ecs:DescribeTasks',
    'ecs:DescribeCapacityProviders',
    'elasticloadbalancing:DescribeTargetGroups',
    'elasticloadbalancing:DescribeTargetHealth',
    'cloudwatch:DescribeAlarms',
    'cloudwatch:GetMetricData',
  ],
  scaling: [
    'application-autoscaling:DescribeScalableTargets',
    'application-autoscaling:DescribeScalingPolicies',
    'application-autoscaling:DescribeScalingActivities',
    'autoscaling:DescribeAutoScalingGroups',
  ],
  backup: [
    'backup:ListBackupPlans',
    'backup:GetBackupPlan',
    'backup:ListBackupSelections',
    'backup:GetBackupSelection',
    'backup:ListProtectedResourcesByBackupVault',
    'backup:ListRecoveryPointsByBackupVault',
    'backup:ListBackupJobs',
    'tag:GetResources',
  ],
  wellArchitected: [
    'wellarchitected:GetWorkload',
    'wellarchitected:GetLensReview',
    'wellarchitected:ListLensReviewImprovements',
  ],
  // What runs where: task definitions (once per ARN); what they point at,
  // metadata only (never ssm:GetParameter* nor secretsmanager:GetSecretValue).
  workload: [
    'ecs:DescribeTaskDefinition',
    'ssm:DescribeParameters',
    'secretsmanager:DescribeSecret',
    'ecr:DescribeImageScanFindings',
    'elasticfilesystem:DescribeFileSystems',
    'elasticfilesystem:DescribeMountTargets',
  ],
  // From the run history the portal records, not from AWS.
  provisioning: [],
};

const AREA_NAMES: Record<EnvironmentArea, string> = {
  health: 'service health',
  scaling: 'scaling',
  backup: 'backup',
  wellArchitected: 'Well-Architected',
  workload: 'workload (task definitions, secrets, image scans, file systems)',
  provisioning: 'provisioning',
};

const ACCESS_DENIED_ERRORS = [
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'AuthorizationError',
];
const CREDENTIAL_ERRORS = [
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'CredentialsProviderError',
];
const THROTTLING_ERRORS = [
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
];

/** The action an AccessDenied message names: "... is not authorized to perform: backup:ListBackupJobs ...". */
function deniedAction(message: string): string | undefined {
  return message.match(/perform:\s*([a-z0-9-]+:[A-Za-z0-9]+)/)?.[1];
}

function proposedFixFor(error: AreaReadError, context: RuleContext): string {
  const { accountId } = context.environment;
  if (ACCESS_DENIED_ERRORS.includes(error.name)) {
    const action = deniedAction(error.message);
    const actions = action
      ? [action]
      : ENVIRONMENT_AREA_IAM_ACTIONS[error.area];
    return (
      `Grant the portal's role in account ${accountId} ${
        actions.length === 1 ? 'the IAM permission' : 'the IAM permissions'
      } ${actions.map(a => `\`${a}\``).join(', ')}${
        action
          ? ` (the ${
              AREA_NAMES[error.area]
            } area needs ${ENVIRONMENT_AREA_IAM_ACTIONS[error.area].join(
              ', ',
            )})`
          : ''
      }` + `, on resources "*" or the environment's resources.`
    );
  }
  if (CREDENTIAL_ERRORS.includes(error.name)) {
    return (
      `The portal's AWS credentials for account ${accountId} are invalid or expired: ` +
      `check aws.accounts in app-config (access key, or the roleName to assume and ` +
      `its trust policy allowing the portal's principal).`
    );
  }
  if (THROTTLING_ERRORS.includes(error.name)) {
    return (
      `AWS throttled the reads; the next refresh usually succeeds. If it keeps ` +
      `happening, lower the backend's read concurrency or lengthen the refresh ` +
      `interval, or ask AWS Support for a higher API rate quota.`
    );
  }
  return (
    `Check that the environment's account, region and resource names are right and ` +
    `that the AWS endpoint is reachable from the portal's backend; the backend log ` +
    `has the full error.`
  );
}

/** Each area of the snapshot that could not be read. */
export function detectReadErrors(context: RuleContext): Problem[] {
  return (
    context.snapshot.readErrors
      .filter(
        // A missing workload is a finding of its own, not a failed read.
        error =>
          !(
            error.area === 'wellArchitected' &&
            error.name === WORKLOAD_NOT_FOUND_ERROR
          ),
      )
      // One problem per area: the first error is the one to fix first.
      .filter(
        (error, index, errors) =>
          errors.findIndex(other => other.area === error.area) === index,
      )
      .map(error =>
        createProblem(context, {
          idSuffix: `read-error/${error.area}`,
          area: error.area,
          severity: 'high',
          title: `Cannot read ${AREA_NAMES[error.area]} of ${
            context.environment.name
          }`,
          explanation:
            `Reading the ${AREA_NAMES[error.area]} of environment ` +
            `${context.environment.name} (account ${context.environment.accountId}, ` +
            `${context.environment.region}) failed with ${error.name}: ${error.message}`,
          proposedFix: proposedFixFor(error, context),
          consoleUrl: IAM_ROLES_CONSOLE_URL,
        }),
      )
  );
}
