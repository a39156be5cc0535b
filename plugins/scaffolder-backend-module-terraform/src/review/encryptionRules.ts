import { TerraformResource, addressOf, blocksOf } from './configuration';
import { ConfigurationEvaluator } from './evaluation';
import { refersTo } from './references';
import { UnknownValue } from './values';
import {
  ReviewFinding,
  ReviewRule,
  about,
  attributeOf,
  createdResources,
  describeValue,
  isOffOrUnset,
  isTrue,
  productionEvaluator,
  productionWording,
} from './reviewRule';

/**
 * A rule that a boolean attribute of some resource types is true: an error
 * when it is false or not set, a warning when it is an expression the
 * review cannot work out (encryption at rest cannot be turned on later, so
 * it should not hang on an expression).
 */
function requireTrue(options: {
  id: string;
  checks: string;
  types: string[];
  attribute: string;
  /** Resources the rule does not apply to (e.g. read replicas). */
  skip?: (resource: TerraformResource) => boolean;
  why: string;
}): ReviewRule {
  return {
    id: options.id,
    checks: options.checks,
    review(configuration) {
      const evaluator = new ConfigurationEvaluator(configuration);
      return createdResources(evaluator, ...options.types)
        .filter(resource => !options.skip?.(resource))
        .flatMap(resource => {
          const value = attributeOf(evaluator, resource, options.attribute);
          if (isTrue(value)) return [];
          const unknown = value instanceof UnknownValue;
          return [
            {
              severity: unknown ? ('warning' as const) : ('error' as const),
              ...about(resource),
              message: `${addressOf(resource)} has ${
                options.attribute
              } ${describeValue(value)}${
                unknown ? ', which the review cannot see is true' : ''
              }: ${options.why}`,
              fix: `Set ${options.attribute} = true (it cannot be changed on an existing ${resource.type}: set it before the first apply)`,
            },
          ];
        });
    },
  };
}

/** `efs-unencrypted`: an EFS file system without `encrypted = true`. */
export const efsUnencrypted = requireTrue({
  id: 'efs-unencrypted',
  checks: 'EFS file systems are encrypted at rest (encrypted = true)',
  types: ['aws_efs_file_system'],
  attribute: 'encrypted',
  why: 'the shared files are stored unencrypted',
});

/**
 * `rds-unencrypted`: an RDS instance or Aurora cluster without
 * `storage_encrypted = true`. Read replicas (`replicate_source_db`) and
 * cluster members (`cluster_identifier`) take their source's encryption and
 * are not checked.
 */
export const rdsUnencrypted = requireTrue({
  id: 'rds-unencrypted',
  checks:
    'RDS instances and Aurora clusters are encrypted at rest (storage_encrypted = true)',
  types: ['aws_db_instance', 'aws_rds_cluster'],
  attribute: 'storage_encrypted',
  skip: resource =>
    'replicate_source_db' in resource.attributes ||
    (resource.type === 'aws_db_instance' &&
      'cluster_identifier' in resource.attributes),
  why: 'the database and its snapshots are stored unencrypted',
});

/**
 * `s3-bucket-unencrypted`: an S3 bucket with no
 * `aws_s3_bucket_server_side_encryption_configuration` whose `bucket`
 * refers to it (through variables and module outputs too) and no inline
 * `server_side_encryption_configuration`. S3 encrypts new objects with
 * S3-managed keys anyway, hence a warning: the configuration should say
 * which key.
 */
export const s3BucketUnencrypted: ReviewRule = {
  id: 's3-bucket-unencrypted',
  checks:
    'S3 buckets have a server-side encryption configuration (aws_s3_bucket_server_side_encryption_configuration)',
  review(configuration) {
    const evaluator = new ConfigurationEvaluator(configuration);
    const encryptions = createdResources(
      evaluator,
      'aws_s3_bucket_server_side_encryption_configuration',
    );
    return createdResources(evaluator, 'aws_s3_bucket')
      .filter(
        bucket =>
          blocksOf(bucket.attributes, 'server_side_encryption_configuration')
            .length === 0 &&
          !encryptions.some(encryption =>
            refersTo(
              evaluator.configuration,
              encryption.module,
              encryption.attributes.bucket,
              bucket,
            ),
          ),
      )
      .map(bucket => ({
        severity: 'warning' as const,
        ...about(bucket),
        message: `${addressOf(
          bucket,
        )} has no server-side encryption configuration: only S3's default (SSE-S3) applies, with no say over the key`,
        fix: `Add an aws_s3_bucket_server_side_encryption_configuration with bucket = ${addressOf(
          bucket,
        )}.id and rule { apply_server_side_encryption_by_default { sse_algorithm = "aws:kms" } bucket_key_enabled = true }`,
      }));
  },
};

/**
 * `sns-topic-unencrypted`: an SNS topic without `kms_master_key_id`; its
 * messages (alarms name resources and thresholds) are stored unencrypted.
 */
export const snsTopicUnencrypted: ReviewRule = {
  id: 'sns-topic-unencrypted',
  checks: 'SNS topics are encrypted (kms_master_key_id)',
  review(configuration) {
    const evaluator = new ConfigurationEvaluator(configuration);
    return createdResources(evaluator, 'aws_sns_topic')
      .filter(topic =>
        isOffOrUnset(attributeOf(evaluator, topic, 'kms_master_key_id')),
      )
      .map(topic => ({
        severity: 'warning' as const,
        ...about(topic),
        message: `${addressOf(
          topic,
        )} has no kms_master_key_id: its messages are stored unencrypted`,
        fix: 'Set kms_master_key_id = "alias/aws/sns", or a customer managed key whose policy lets CloudWatch (cloudwatch.amazonaws.com) use it',
      }));
  },
};

/**
 * `backup-vault-default-key`: in production (the values file's tier, or
 * unknown), a backup vault whose `kms_key_arn` is not set or null (a
 * variable whose default is null and that no module call sets counts):
 * recovery points are encrypted with the AWS managed key, which cannot be
 * shared with another account for cross-account copies or be restricted by
 * a key policy. A value it cannot work out passes.
 */
export const backupVaultDefaultKey: ReviewRule = {
  id: 'backup-vault-default-key',
  checks:
    'In production, backup vaults use a customer managed KMS key (kms_key_arn)',
  review(configuration) {
    const evaluator = productionEvaluator(configuration);
    if (!evaluator) return [];
    const where = productionWording(configuration);
    return createdResources(evaluator, 'aws_backup_vault')
      .filter(vault =>
        isOffOrUnset(attributeOf(evaluator, vault, 'kms_key_arn')),
      )
      .map(vault => ({
        severity: 'warning' as const,
        ...about(vault),
        message: `${addressOf(
          vault,
        )} has no kms_key_arn ${where}: recovery points use the AWS managed key, which no key policy restricts and no other account can use for copies`,
        fix: "Create an aws_kms_key (with enable_key_rotation = true) for the environment's backups and pass its ARN as kms_key_arn",
      }));
  },
};

/**
 * `ecr-repository-unencrypted`: an ECR repository without an
 * `encryption_configuration` block. ECR encrypts with AES-256 anyway, hence
 * a warning: the configuration should choose KMS.
 */
export const ecrRepositoryUnencrypted: ReviewRule = {
  id: 'ecr-repository-unencrypted',
  checks: 'ECR repositories have an encryption_configuration (KMS)',
  review(configuration) {
    const evaluator = new ConfigurationEvaluator(configuration);
    return createdResources(evaluator, 'aws_ecr_repository')
      .filter(
        repository =>
          blocksOf(repository.attributes, 'encryption_configuration').length ===
          0,
      )
      .map(repository => ({
        severity: 'warning' as const,
        ...about(repository),
        message: `${addressOf(
          repository,
        )} has no encryption_configuration: images are encrypted only with ECR's default AES-256 key`,
        fix: 'Add encryption_configuration { encryption_type = "KMS" } (and kms_key for a customer managed key); it can only be set when the repository is created',
      }));
  },
};

/**
 * `ebs-unencrypted`: a launch template whose `block_device_mappings` have
 * an `ebs` block without `encrypted = true`, or that has no
 * `block_device_mappings` at all (the AMI's snapshot then decides), and an
 * `aws_ebs_volume` without `encrypted = true`. Passes everything when the
 * configuration turns on `aws_ebs_encryption_by_default`. An `encrypted` it
 * cannot work out passes.
 */
export const ebsUnencrypted: ReviewRule = {
  id: 'ebs-unencrypted',
  checks:
    'EBS volumes of launch templates and aws_ebs_volume are encrypted (encrypted = true), unless EBS encryption by default is on',
  review(configuration) {
    const evaluator = new ConfigurationEvaluator(configuration);
    const byDefault = createdResources(
      evaluator,
      'aws_ebs_encryption_by_default',
    ).some(resource => {
      const enabled = attributeOf(evaluator, resource, 'enabled');
      return enabled === undefined || isTrue(enabled);
    });
    if (byDefault) return [];
    const findings: ReviewFinding[] = [];
    const fix =
      'Set encrypted = true on every ebs block (or turn on aws_ebs_encryption_by_default for the account and region)';
    for (const template of createdResources(evaluator, 'aws_launch_template')) {
      const mappings = blocksOf(template.attributes, 'block_device_mappings');
      const volumes = mappings.flatMap(mapping => blocksOf(mapping, 'ebs'));
      const unencrypted = volumes.filter(volume => {
        const encrypted = evaluator.evaluate(template.module, volume.encrypted);
        return !isTrue(encrypted) && !(encrypted instanceof UnknownValue);
      });
      if (mappings.length === 0) {
        findings.push({
          severity: 'warning',
          ...about(template),
          message: `${addressOf(
            template,
          )} has no block_device_mappings: its root volume is encrypted only if the AMI's snapshot or the account's EBS default encryption says so`,
          fix: "Add block_device_mappings { device_name = <the AMI's root device> ebs { encrypted = true } }",
        });
      } else if (unencrypted.length > 0) {
        findings.push({
          severity: 'error',
          ...about(template),
          message: `${addressOf(template)} has ${
            unencrypted.length
          } EBS volume(s) without encrypted = true: the hosts' disks are stored unencrypted`,
          fix,
        });
      }
    }
    for (const volume of createdResources(evaluator, 'aws_ebs_volume')) {
      const encrypted = attributeOf(evaluator, volume, 'encrypted');
      if (isTrue(encrypted) || encrypted instanceof UnknownValue) continue;
      findings.push({
        severity: 'error',
        ...about(volume),
        message: `${addressOf(volume)} has encrypted ${describeValue(
          encrypted,
        )}: the volume is stored unencrypted`,
        fix,
      });
    }
    return findings;
  },
};

export const encryptionRules: ReviewRule[] = [
  efsUnencrypted,
  rdsUnencrypted,
  s3BucketUnencrypted,
  snsTopicUnencrypted,
  backupVaultDefaultKey,
  ecrRepositoryUnencrypted,
  ebsUnencrypted,
];
