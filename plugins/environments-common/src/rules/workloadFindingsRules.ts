import { ecsServiceConsoleUrl } from '../consoleUrls';
import { EcsService, Problem } from '../types';
import {
  ContainerSecretSource,
  FileSystemSummary,
  ImageScanSummary,
  TaskDefinitionSummary,
  secretsManagerSecretArn,
} from '../workloadTypes';
import { RuleContext, createProblem, plural, severityForTier } from './context';

/*
 * Rules about what the task definitions point at, read as metadata only:
 * secrets whose SSM parameter or Secrets Manager secret does not exist, vulnerabilities ECR's scan
 * found in the images that run, and the environment's EFS file systems
 * (encryption, a mount target in every zone tasks run in). They answer the
 * review's findings about secrets, unhardened dependencies and redundancy.
 * A file system outside the backup plan is a backup rule
 * (`backupRules.ts`, unprotected-resource), not repeated here.
 */

function runningTasks(service: EcsService) {
  return service.tasks.filter(task => task.lastStatus === 'RUNNING');
}

/** The secrets of a task definition from `source` whose reference `isMissing` says does not exist. */
function missingSecretsOf(
  taskDefinition: TaskDefinitionSummary,
  source: ContainerSecretSource,
  isMissing: (reference: string) => boolean,
) {
  return taskDefinition.containers.flatMap(container =>
    container.secrets
      .filter(s => s.source === source && isMissing(s.reference))
      .map(s => ({ container: container.name, ...s })),
  );
}

/**
 * The problem of a service whose primary task definition injects secrets
 * (`found`, all from one store) that the store does not have: tasks running
 * now started before they went missing, the next one fails.
 */
function missingSecretsProblem(
  service: EcsService,
  context: RuleContext,
  taskDefinition: TaskDefinitionSummary,
  found: ReturnType<typeof missingSecretsOf>,
  texts: {
    /** The rule's id: `missing-secret-parameter`. */
    rule: string;
    /** What a reference names: `SSM parameter`. */
    what: string;
    /** What the store answered: `Parameter Store has no such parameter`. */
    answered: string;
    proposedFix: string;
  },
): Problem[] {
  if (found.length === 0) {
    return [];
  }
  const { serviceName } = service;
  const { region, cluster } = context.environment;
  return [
    createProblem(context, {
      idSuffix: `service/${serviceName}/${texts.rule}`,
      area: 'workload',
      severity: severityForTier(context, 'high', 'medium'),
      title: `${serviceName} references ${plural(
        found.length,
        texts.what,
      )} that ${found.length === 1 ? 'does' : 'do'} not exist`,
      explanation:
        `Task definition ${taskDefinition.family}:${
          taskDefinition.revision
        } injects ${found
          .map(f => `${f.name} from ${f.reference} (container ${f.container})`)
          .join(', ')}, ` +
        `and ${texts.answered}. Tasks running now started before it went ` +
        `missing; the next task ECS starts (a scale-out, a replaced instance, ` +
        `a deployment) fails with ResourceInitializationError.`,
      proposedFix: texts.proposedFix,
      consoleUrl: ecsServiceConsoleUrl(region, cluster, serviceName),
      serviceName,
      resource: taskDefinition.taskDefinitionArn,
    }),
  ];
}

/**
 * Secrets of the PRIMARY task definition that name an SSM parameter that
 * does not exist: a task started now (a scale-out, a replaced instance, a
 * deployment) fails with ResourceInitializationError.
 */
export function detectMissingSecretParameters(
  service: EcsService,
  context: RuleContext,
): Problem[] {
  const taskDefinition = service.taskDefinitions?.[0];
  const check = context.snapshot.workloadResources?.secretParameters;
  if (!taskDefinition || !check) {
    return [];
  }
  const missing = new Set(check.missing);
  const found = missingSecretsOf(taskDefinition, 'ssm', reference =>
    missing.has(reference),
  );
  const { serviceName } = service;
  const { name: env, region } = context.environment;
  const name = found[0]?.reference;
  return missingSecretsProblem(service, context, taskDefinition, found, {
    rule: 'missing-secret-parameter',
    what: 'SSM parameter',
    answered: 'Parameter Store has no such parameter',
    proposedFix:
      `Create the parameter with its value: \`aws ssm put-parameter --name ` +
      `${name} --type SecureString --value "$VALUE" --region ${region}\` ` +
      `(for a service of the kler-environment Terraform, its secrets are ` +
      `/kler/${env}/${serviceName}/<NAME>), or, if the name is wrong, correct ` +
      `\`services.${serviceName}.secrets\` in \`environments/${env}\`, plan and ` +
      `apply. Check with \`aws ssm describe-parameters --parameter-filters ` +
      `Key=Name,Values=${name} --region ${region}\`.`,
  });
}

/**
 * Secrets of the PRIMARY task definition that name a Secrets Manager secret
 * of the environment's account and region that does not exist, or is
 * scheduled for deletion: ECS cannot read it, so the next task it starts
 * fails with ResourceInitializationError, as with a missing SSM parameter.
 */
export function detectMissingSecretsManagerSecrets(
  service: EcsService,
  context: RuleContext,
): Problem[] {
  const taskDefinition = service.taskDefinitions?.[0];
  const check = context.snapshot.workloadResources?.secretsManagerSecrets;
  if (!taskDefinition || !check) {
    return [];
  }
  const missing = new Set(check.missing);
  const found = missingSecretsOf(taskDefinition, 'secretsmanager', reference =>
    missing.has(secretsManagerSecretArn(reference) ?? ''),
  );
  const { serviceName } = service;
  const { name: env, region } = context.environment;
  const arn = found[0] && secretsManagerSecretArn(found[0].reference);
  return missingSecretsProblem(service, context, taskDefinition, found, {
    rule: 'missing-secret',
    what: 'Secrets Manager secret',
    answered:
      'Secrets Manager has no such secret, or has it scheduled for deletion',
    proposedFix:
      `If it is scheduled for deletion, restore it: \`aws secretsmanager ` +
      `restore-secret --secret-id ${arn} --region ${region}\`. If it ` +
      `is gone, create it again with its value (\`aws secretsmanager ` +
      `create-secret --name <name> --secret-string "$VALUE" --region ` +
      `${region}\`; a new secret gets a new ARN), then point ` +
      `\`services.${serviceName}.secrets\` in \`environments/${env}\` at its ` +
      `ARN, plan and apply. Check with \`aws secretsmanager describe-secret ` +
      `--secret-id ${arn} --region ${region}\`.`,
  });
}

function ecrImageConsoleUrl(
  context: RuleContext,
  scan: Pick<ImageScanSummary, 'repositoryName' | 'imageDigest'>,
) {
  const { region, accountId } = context.environment;
  return `https://${region}.console.aws.amazon.com/ecr/repositories/private/${accountId}/${
    scan.repositoryName
  }/_/image/${encodeURIComponent(scan.imageDigest)}/details?region=${region}`;
}

/** The scans of the ECR digests a service's running tasks run, one per digest. */
function runningScans(service: EcsService, context: RuleContext) {
  const scans = context.snapshot.workloadResources?.imageScans ?? [];
  const digests = new Set(
    runningTasks(service).flatMap(task =>
      task.containers.flatMap(c => (c.imageDigest ? [c.imageDigest] : [])),
    ),
  );
  return scans.filter(scan => digests.has(scan.imageDigest));
}

/**
 * Critical or high vulnerabilities in the images a service's tasks run, as
 * ECR's scan counts them. A digest whose repository does not scan is not a
 * vulnerability: it is `image-not-scanned`, low, because nothing is known.
 */
export function detectImageVulnerabilities(
  service: EcsService,
  context: RuleContext,
): Problem[] {
  const scans = runningScans(service, context);
  const vulnerable = scans.filter(
    scan => scan.status === 'complete' && scan.critical + scan.high > 0,
  );
  const unscanned = scans.filter(scan => scan.status === 'not-scanned');
  const { serviceName } = service;
  const { name: env, region } = context.environment;
  const problems: Problem[] = [];
  if (vulnerable.length > 0) {
    const critical = vulnerable.reduce((sum, s) => sum + s.critical, 0);
    const high = vulnerable.reduce((sum, s) => sum + s.high, 0);
    const first = vulnerable[0];
    problems.push(
      createProblem(context, {
        idSuffix: `service/${serviceName}/image-vulnerabilities`,
        area: 'workload',
        severity:
          critical > 0
            ? severityForTier(context, 'high', 'medium')
            : severityForTier(context, 'medium', 'low'),
        title: `${serviceName} runs an image with ${[
          critical > 0
            ? plural(
                critical,
                'critical vulnerability',
                'critical vulnerabilities',
              )
            : '',
          high > 0
            ? plural(high, 'high vulnerability', 'high vulnerabilities')
            : '',
        ]
          .filter(Boolean)
          .join(' and ')}`,
        explanation:
          `ECR's scan of ${vulnerable
            .map(
              s =>
                `${s.repositoryName}@${s.imageDigest} (${s.critical} critical, ${s.high} high)`,
            )
            .join(', ')} ` +
          `found known vulnerabilities in the packages of the image the ` +
          `service's tasks run now.`,
        proposedFix:
          `List them with \`aws ecr describe-image-scan-findings --repository-name ` +
          `${first.repositoryName} --image-id imageDigest=${first.imageDigest} ` +
          `--region ${region}\`, update the base image and the affected packages, ` +
          `build and push a new version, and deploy it ` +
          `(\`services.${serviceName}.image_tag\` in \`environments/${env}\` for ` +
          `the kler-environment Terraform); the problem clears when no running ` +
          `task runs a vulnerable digest.`,
        consoleUrl: ecrImageConsoleUrl(context, first),
        serviceName,
        resource: `${first.repositoryName}@${first.imageDigest}`,
      }),
    );
  }
  if (unscanned.length > 0) {
    const first = unscanned[0];
    problems.push(
      createProblem(context, {
        idSuffix: `service/${serviceName}/image-not-scanned`,
        area: 'workload',
        severity: 'low',
        title: `${serviceName}'s image is not scanned for vulnerabilities`,
        explanation:
          `ECR has no scan of ${unscanned
            .map(s => `${s.repositoryName}@${s.imageDigest}`)
            .join(', ')}: ` +
          `whether the image that runs has known vulnerabilities is unknown.`,
        proposedFix:
          `Turn scanning on for the repository and scan the running image: ` +
          `\`aws ecr put-image-scanning-configuration --repository-name ` +
          `${first.repositoryName} --image-scanning-configuration scanOnPush=true ` +
          `--region ${region}\`, then \`aws ecr start-image-scan --repository-name ` +
          `${first.repositoryName} --image-id imageDigest=${first.imageDigest} ` +
          `--region ${region}\` (or enhanced scanning for the registry, ` +
          `\`aws ecr put-registry-scanning-configuration\`).`,
        consoleUrl: ecrImageConsoleUrl(context, first),
        serviceName,
        resource: `${first.repositoryName}@${first.imageDigest}`,
      }),
    );
  }
  return problems;
}

function efsConsoleUrl(context: RuleContext, fileSystem: FileSystemSummary) {
  const { region } = context.environment;
  return `https://${region}.console.aws.amazon.com/efs/home?region=${region}#/file-systems/${fileSystem.fileSystemId}`;
}

function fileSystemName(fileSystem: FileSystemSummary) {
  return fileSystem.name
    ? `${fileSystem.name} (${fileSystem.fileSystemId})`
    : fileSystem.fileSystemId;
}

/**
 * An EFS file system of the environment not encrypted at rest. Encryption
 * can only be chosen when a file system is created: the fix is a new one.
 */
export function detectUnencryptedFileSystems(context: RuleContext): Problem[] {
  const fileSystems = context.snapshot.workloadResources?.fileSystems ?? [];
  const { region } = context.environment;
  return fileSystems
    .filter(fileSystem => !fileSystem.encrypted)
    .map(fileSystem =>
      createProblem(context, {
        idSuffix: `efs/${fileSystem.fileSystemId}/efs-unencrypted`,
        area: 'workload',
        severity: severityForTier(context, 'high', 'medium'),
        title: `File system ${fileSystemName(
          fileSystem,
        )} is not encrypted at rest`,
        explanation:
          `EFS stores ${fileSystemName(
            fileSystem,
          )}'s data unencrypted on disk. ` +
          `Encryption at rest is chosen when a file system is created and ` +
          `cannot be turned on afterwards.`,
        proposedFix:
          `Create an encrypted file system and move the data to it: ` +
          `\`aws efs create-file-system --encrypted --creation-token ` +
          `${fileSystem.name ?? fileSystem.fileSystemId}-encrypted --tags ` +
          `Key=kler:environment,Value=${context.environment.name} --region ${region}\` ` +
          `(or \`encrypted = true\` on the aws_efs_file_system of the ` +
          `kler-environment Terraform, which replaces it), restore the latest ` +
          `recovery point into it with AWS Backup (\`aws backup start-restore-job\`) ` +
          `or copy with DataSync, point the task definitions' volumes at it, ` +
          `then delete the old one.`,
        consoleUrl: efsConsoleUrl(context, fileSystem),
        resource: fileSystem.fileSystemArn,
      }),
    );
}

/**
 * An EFS file system without a mount target in a zone where the
 * environment's tasks run: a task placed there cannot mount it and fails to
 * start (or runs without its data). The zones are those of the running tasks
 * of every service: the portal does not read which task definitions mount
 * which file system.
 */
export function detectZonesWithoutMountTarget(context: RuleContext): Problem[] {
  const fileSystems = context.snapshot.workloadResources?.fileSystems ?? [];
  if (
    fileSystems.length === 0 ||
    context.snapshot.pending?.includes('runningTasks')
  ) {
    return [];
  }
  const taskZones = new Set<string>();
  for (const service of context.snapshot.services) {
    for (const task of runningTasks(service)) {
      if (task.availabilityZone) {
        taskZones.add(task.availabilityZone);
      }
    }
  }
  const { region } = context.environment;
  return fileSystems.flatMap(fileSystem => {
    const mounted = new Set(fileSystem.mountTargetZones);
    const zones = [...taskZones].filter(zone => !mounted.has(zone)).sort();
    if (zones.length === 0) {
      return [];
    }
    return [
      createProblem(context, {
        idSuffix: `efs/${fileSystem.fileSystemId}/efs-zone-without-mount-target`,
        area: 'workload',
        severity: severityForTier(context, 'high', 'medium'),
        title: `File system ${fileSystemName(
          fileSystem,
        )} has no mount target in ${zones.join(', ')}`,
        explanation:
          `Tasks of the environment run in ${zones.join(', ')}, where ` +
          `${fileSystemName(fileSystem)} has no mount target (it has ${
            fileSystem.mountTargetZones.length > 0
              ? `them in ${fileSystem.mountTargetZones.join(', ')}`
              : 'none'
          }). A task there that mounts the file system cannot reach it and ` +
          `fails to start.`,
        proposedFix:
          `Create a mount target in each of those zones: \`aws efs ` +
          `create-mount-target --file-system-id ${fileSystem.fileSystemId} ` +
          `--subnet-id <the environment's private subnet in ${zones[0]}> ` +
          `--security-groups <the file system's security group> --region ${region}\` ` +
          `(in the kler-environment Terraform, an aws_efs_mount_target for every ` +
          `subnet of \`private_subnet_ids\`), then check ` +
          `\`aws efs describe-mount-targets --file-system-id ${fileSystem.fileSystemId}\`.`,
        consoleUrl: efsConsoleUrl(context, fileSystem),
        resource: fileSystem.fileSystemArn,
      }),
    ];
  });
}

/** The rules about what one service's task definition points at. */
export const serviceWorkloadFindingsRules = [
  detectMissingSecretParameters,
  detectMissingSecretsManagerSecrets,
  detectImageVulnerabilities,
];

/** The rules about the environment's file systems. */
export const workloadFindingsRules = [
  detectUnencryptedFileSystems,
  detectZonesWithoutMountTarget,
];
