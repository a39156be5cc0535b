import { reviewWith } from './__testUtils__/configurations';
import {
  backupVaultDefaultKey,
  ebsUnencrypted,
  ecrRepositoryUnencrypted,
  efsUnencrypted,
  rdsUnencrypted,
  s3BucketUnencrypted,
  snsTopicUnencrypted,
} from './encryptionRules';

describe('efs-unencrypted', () => {
  const efs = (encrypted: string) => ({
    'main.tf': `
resource "aws_efs_file_system" "this" {
  creation_token = "shared"
  ${encrypted}
}
`,
  });

  it('passes encrypted = true', async () => {
    expect(await reviewWith(efsUnencrypted, efs('encrypted = true'))).toEqual(
      [],
    );
  });

  it('reports encryption off or not set, as an error', async () => {
    for (const encrypted of ['', 'encrypted = false']) {
      expect(await reviewWith(efsUnencrypted, efs(encrypted))).toEqual([
        expect.objectContaining({
          rule: 'efs-unencrypted',
          severity: 'error',
          line: 2,
          resource: 'aws_efs_file_system.this',
          fix: expect.stringContaining('Set encrypted = true'),
        }),
      ]);
    }
  });

  it('warns about an expression it cannot work out, and follows those it can', async () => {
    expect(
      await reviewWith(efsUnencrypted, efs('encrypted = var.encrypted')),
    ).toEqual([
      expect.objectContaining({
        severity: 'warning',
        message: expect.stringContaining(
          'has encrypted var.encrypted, which the review cannot see is true',
        ),
      }),
    ]);
    expect(
      await reviewWith(efsUnencrypted, {
        'main.tf': `${efs('encrypted = var.encrypted')['main.tf']}
variable "encrypted" {
  type    = bool
  default = true
}
`,
      }),
    ).toEqual([]);
  });
});

describe('rds-unencrypted', () => {
  it('reports instances and clusters without storage_encrypted = true', async () => {
    const problems = await reviewWith(rdsUnencrypted, {
      'main.tf': `
resource "aws_db_instance" "plain" {
  engine = "postgres"
}
resource "aws_db_instance" "encrypted" {
  engine            = "postgres"
  storage_encrypted = true
}
resource "aws_db_instance" "replica" {
  replicate_source_db = aws_db_instance.encrypted.identifier
}
resource "aws_rds_cluster" "aurora" {
  engine = "aurora-postgresql"
}
resource "aws_db_instance" "member" {
  cluster_identifier = aws_rds_cluster.aurora.id
}
`,
    });
    expect(problems.map(problem => problem.resource)).toEqual([
      'aws_db_instance.plain',
      'aws_rds_cluster.aurora',
    ]);
  });
});

describe('s3-bucket-unencrypted', () => {
  it('reports a bucket no encryption configuration refers to', async () => {
    const problems = await reviewWith(s3BucketUnencrypted, {
      'main.tf': `
resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}
resource "aws_s3_bucket" "data" {
  bucket = "data"
}
resource "aws_s3_bucket" "legacy" {
  bucket = "legacy"
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "aws:kms"
      }
    }
  }
}
resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}
`,
    });
    expect(problems).toEqual([
      expect.objectContaining({
        severity: 'warning',
        resource: 'aws_s3_bucket.logs',
        fix: expect.stringContaining('bucket = aws_s3_bucket.logs.id'),
      }),
    ]);
  });
});

describe('sns-topic-unencrypted', () => {
  it('reports a topic without kms_master_key_id', async () => {
    const problems = await reviewWith(snsTopicUnencrypted, {
      'main.tf': `
resource "aws_sns_topic" "alarms" {
  name = "alarms"
}
resource "aws_sns_topic" "encrypted" {
  name              = "encrypted"
  kms_master_key_id = "alias/aws/sns"
}
`,
    });
    expect(problems).toEqual([
      expect.objectContaining({
        severity: 'warning',
        resource: 'aws_sns_topic.alarms',
      }),
    ]);
  });
});

describe('backup-vault-default-key', () => {
  /** As the template's backup module: a key variable defaulting to null. */
  const files = (kmsKeyArn: string) => ({
    'main.tf': `
variable "tier" {
  type = string
}
module "backup" {
  source = "./modules/backup"
  ${kmsKeyArn}
}
`,
    'modules/backup/main.tf': `
variable "kms_key_arn" {
  type    = string
  default = null
}
resource "aws_backup_vault" "this" {
  name        = "kler"
  kms_key_arn = var.kms_key_arn
}
`,
  });

  it('reports a vault whose key variable no call sets, in production', async () => {
    expect(
      await reviewWith(backupVaultDefaultKey, files(''), {
        tier: 'production',
      }),
    ).toEqual([
      expect.objectContaining({
        severity: 'warning',
        file: 'modules/backup/main.tf',
        line: 6,
        resource: 'aws_backup_vault.this',
      }),
    ]);
  });

  it('passes a key, and development', async () => {
    expect(
      await reviewWith(
        backupVaultDefaultKey,
        files('kms_key_arn = aws_kms_key.backup.arn'),
        { tier: 'production' },
      ),
    ).toEqual([]);
    expect(
      await reviewWith(backupVaultDefaultKey, files(''), {
        tier: 'development',
      }),
    ).toEqual([]);
  });
});

describe('ecr-repository-unencrypted', () => {
  it('reports a repository without encryption_configuration', async () => {
    const problems = await reviewWith(ecrRepositoryUnencrypted, {
      'main.tf': `
resource "aws_ecr_repository" "plain" {
  name = "plain"
}
resource "aws_ecr_repository" "kms" {
  name = "kms"
  encryption_configuration {
    encryption_type = "KMS"
  }
}
`,
    });
    expect(problems.map(problem => problem.resource)).toEqual([
      'aws_ecr_repository.plain',
    ]);
  });
});

describe('ebs-unencrypted', () => {
  const template = (mappings: string) => `
resource "aws_launch_template" "this" {
  name_prefix = "ecs-"
  ${mappings}
}
`;

  it('passes encrypted volumes', async () => {
    expect(
      await reviewWith(ebsUnencrypted, {
        'main.tf': template(`block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      encrypted = true
    }
  }`),
      }),
    ).toEqual([]);
  });

  it('reports unencrypted volumes, and a template that leaves the root volume to the AMI', async () => {
    expect(
      await reviewWith(ebsUnencrypted, {
        'main.tf': template(`block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size = 30
    }
  }`),
      }),
    ).toEqual([expect.objectContaining({ severity: 'error' })]);
    expect(
      await reviewWith(ebsUnencrypted, { 'main.tf': template('') }),
    ).toEqual([
      expect.objectContaining({
        severity: 'warning',
        message: expect.stringContaining('has no block_device_mappings'),
      }),
    ]);
    expect(
      await reviewWith(ebsUnencrypted, {
        'main.tf': 'resource "aws_ebs_volume" "data" {\n  size = 10\n}\n',
      }),
    ).toEqual([expect.objectContaining({ resource: 'aws_ebs_volume.data' })]);
  });

  it('passes everything when EBS encryption by default is on', async () => {
    expect(
      await reviewWith(ebsUnencrypted, {
        'main.tf': `${template('')}
resource "aws_ebs_encryption_by_default" "this" {
  enabled = true
}
`,
      }),
    ).toEqual([]);
  });
});
