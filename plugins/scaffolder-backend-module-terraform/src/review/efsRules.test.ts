import { reviewWith } from './__testUtils__/configurations';
import {
  efsMountWithoutIam,
  efsPolicyDeniesMounts,
  efsTransitUnencrypted,
} from './efsRules';

const denyInsecureTransport = `{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = { AWS = "*" }
      Action    = "*"
      Resource  = aws_efs_file_system.this.arn
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }`;

const allowTasks = `{
      Sid       = "AllowTheTasks"
      Effect    = "Allow"
      Principal = { AWS = var.task_role_arns }
      Action    = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
      Resource  = aws_efs_file_system.this.arn
    }`;

function policyFile(statements: string[]) {
  return {
    'modules/efs/main.tf': `
resource "aws_efs_file_system" "this" {
  encrypted = true
}

resource "aws_efs_file_system_policy" "this" {
  file_system_id = aws_efs_file_system.this.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [${statements.join(', ')}]
  })
}
`,
  };
}

describe('efs-policy-denies-mounts', () => {
  it('reports a policy that only denies, as the template had it', async () => {
    const problems = await reviewWith(
      efsPolicyDeniesMounts,
      policyFile([denyInsecureTransport]),
    );
    expect(problems).toEqual([
      {
        source: 'review',
        rule: 'efs-policy-denies-mounts',
        severity: 'error',
        file: 'modules/efs/main.tf',
        line: 6,
        resource: 'aws_efs_file_system_policy.this',
        message: expect.stringContaining(
          'aws_efs_file_system_policy.this only denies (DenyInsecureTransport) and allows no mount',
        ),
        fix: expect.stringContaining('elasticfilesystem:ClientMount'),
      },
    ]);
  });

  it('passes a policy that also allows the tasks to mount', async () => {
    expect(
      await reviewWith(
        efsPolicyDeniesMounts,
        policyFile([denyInsecureTransport, allowTasks]),
      ),
    ).toEqual([]);
  });

  it('counts elasticfilesystem:* and * as allowing mounts, and nothing else', async () => {
    for (const [action, reported] of [
      ['"elasticfilesystem:*"', false],
      ['"*"', false],
      ['["elasticfilesystem:ClientRootAccess"]', true],
    ] as const) {
      const problems = await reviewWith(
        efsPolicyDeniesMounts,
        policyFile([
          denyInsecureTransport,
          `{ Effect = "Allow", Principal = { AWS = "*" }, Action = ${action} }`,
        ]),
      );
      expect(problems.length > 0).toBe(reported);
    }
  });

  it('passes a policy without a Deny (not the defect it looks for)', async () => {
    expect(
      await reviewWith(efsPolicyDeniesMounts, policyFile([allowTasks])),
    ).toEqual([]);
  });

  it('reads JSON heredocs and aws_iam_policy_document statements', async () => {
    const heredoc = await reviewWith(efsPolicyDeniesMounts, {
      'main.tf': `
resource "aws_efs_file_system_policy" "this" {
  file_system_id = "fs-1"
  policy = <<EOF
{"Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "*", "Resource": "\${aws_efs_file_system.this.arn}"}]}
EOF
}
`,
    });
    expect(heredoc).toHaveLength(1);

    const document = (allow: string) =>
      reviewWith(efsPolicyDeniesMounts, {
        'main.tf': `
data "aws_iam_policy_document" "efs" {
  statement {
    effect  = "Deny"
    actions = ["*"]
  }
  ${allow}
}

resource "aws_efs_file_system_policy" "this" {
  file_system_id = "fs-1"
  policy         = data.aws_iam_policy_document.efs.json
}
`,
      });
    expect(await document('')).toHaveLength(1);
    // A statement without effect allows.
    expect(
      await document(
        'statement {\n    actions = ["elasticfilesystem:ClientMount"]\n  }',
      ),
    ).toEqual([]);
  });

  it('says nothing when it cannot read the statements or their actions', async () => {
    expect(
      await reviewWith(efsPolicyDeniesMounts, {
        'main.tf': `
resource "aws_efs_file_system_policy" "a" {
  file_system_id = "fs-1"
  policy         = var.policy
}
resource "aws_efs_file_system_policy" "b" {
  file_system_id = "fs-1"
  policy = jsonencode({
    Statement = [{ Effect = "Deny", Action = "*" }, { Effect = "Allow", Action = var.actions }]
  })
}
`,
      }),
    ).toEqual([]);
  });

  it('does not review a policy its module count leaves out', async () => {
    expect(
      await reviewWith(
        efsPolicyDeniesMounts,
        {
          ...policyFile([denyInsecureTransport]),
          'main.tf': `
variable "efs" {
  type = bool
}
module "efs" {
  source = "./modules/efs"
  count  = var.efs ? 1 : 0
}
`,
        },
        { efs: false },
      ),
    ).toEqual([]);
  });
});

const filesystemPolicy = `
resource "aws_efs_file_system_policy" "this" {
  file_system_id = "fs-1"
  policy         = "{}"
}
`;

const taskWithEfs = (volume: string, policy = filesystemPolicy) => ({
  'main.tf': `${policy}
resource "aws_ecs_task_definition" "this" {
  family                = "app"
  container_definitions = "[]"

  dynamic "volume" {
    for_each = var.file_system_ids
    content {
      name = "shared"
      efs_volume_configuration {
        file_system_id = volume.value
        ${volume}
      }
    }
  }
}

variable "file_system_ids" {
  type    = list(string)
  default = ["fs-1"]
}
`,
});

describe('efs-mount-without-iam', () => {
  it('reports an EFS volume mounted anonymously while a file system policy exists', async () => {
    const problems = await reviewWith(
      efsMountWithoutIam,
      taskWithEfs('transit_encryption = "ENABLED"'),
    );
    expect(problems).toEqual([
      expect.objectContaining({
        rule: 'efs-mount-without-iam',
        severity: 'warning',
        line: 7,
        resource: 'aws_ecs_task_definition.this',
      }),
    ]);
  });

  it('passes IAM authorization', async () => {
    expect(
      await reviewWith(
        efsMountWithoutIam,
        taskWithEfs(
          'transit_encryption = "ENABLED"\n        authorization_config {\n          iam = "ENABLED"\n        }',
        ),
      ),
    ).toEqual([]);
  });

  it('says nothing without a file system policy, or when no volume is created', async () => {
    expect(await reviewWith(efsMountWithoutIam, taskWithEfs('', ''))).toEqual(
      [],
    );
    expect(
      await reviewWith(efsMountWithoutIam, {
        'main.tf': taskWithEfs('')['main.tf'].replace(
          'default = ["fs-1"]',
          'default = []',
        ),
      }),
    ).toEqual([]);
  });
});

describe('efs-transit-unencrypted', () => {
  it('reports an EFS volume without transit encryption', async () => {
    const problems = await reviewWith(efsTransitUnencrypted, taskWithEfs(''));
    expect(problems).toEqual([
      expect.objectContaining({
        rule: 'efs-transit-unencrypted',
        severity: 'error',
        message: expect.stringContaining('transit_encryption not set'),
      }),
    ]);
    expect(
      await reviewWith(
        efsTransitUnencrypted,
        taskWithEfs('transit_encryption = "DISABLED"'),
      ),
    ).toHaveLength(1);
  });

  it('passes ENABLED, and an expression it cannot work out', async () => {
    expect(
      await reviewWith(
        efsTransitUnencrypted,
        taskWithEfs('transit_encryption = "ENABLED"'),
      ),
    ).toEqual([]);
    expect(
      await reviewWith(
        efsTransitUnencrypted,
        taskWithEfs('transit_encryption = var.transit'),
      ),
    ).toEqual([]);
  });
});
