import { reviewWith } from './__testUtils__/configurations';
import { backupSelectionMissingResource } from './backupRules';

/**
 * The template's layout: the environment's tags in the root, a backup
 * module selecting by tag, and stateful resources in other modules.
 */
function environment(options: {
  efsTags?: string;
  databaseTags?: string;
  selection?: string;
  defaultTags?: boolean;
}) {
  return {
    'main.tf': `
variable "name" {
  type = string
}
locals {
  tags = {
    "kler:environment" = var.name
  }
}
provider "aws" {
  ${options.defaultTags ? 'default_tags {\n    tags = local.tags\n  }' : ''}
}
module "efs" {
  source = "./modules/efs"
  tags   = local.tags
}
module "backup" {
  source      = "./modules/backup"
  environment = var.name
}
`,
    'modules/efs/main.tf': `
variable "tags" {
  type = map(string)
}
resource "aws_efs_file_system" "this" {
  encrypted = true
  tags      = ${
    options.efsTags ?? 'merge(var.tags, { "kler:backup" = "true" })'
  }
}
resource "aws_db_instance" "shop" {
  engine = "postgres"
  tags   = ${options.databaseTags ?? 'var.tags'}
}
output "efs_arn" {
  value = aws_efs_file_system.this.arn
}
`,
    'modules/backup/main.tf': `
variable "environment" {
  type = string
}
resource "aws_backup_selection" "tagged" {
  name         = "tagged"
  plan_id      = "plan"
  iam_role_arn = "role"
  ${
    options.selection ??
    `resources = ["*"]

  condition {
    string_equals {
      key   = "aws:ResourceTag/kler:environment"
      value = var.environment
    }
    string_equals {
      key   = "aws:ResourceTag/kler:backup"
      value = "true"
    }
  }`
  }
}
`,
  };
}

describe('backup-selection-missing-resource', () => {
  it('reports a stateful resource without the tag the selection needs, and passes one with it', async () => {
    const problems = await reviewWith(
      backupSelectionMissingResource,
      environment({}),
      { name: 'prod-eu' },
    );
    expect(problems).toEqual([
      {
        source: 'review',
        rule: 'backup-selection-missing-resource',
        severity: 'error',
        file: 'modules/efs/main.tf',
        line: 9,
        resource: 'aws_db_instance.shop',
        message:
          'aws_db_instance.shop is stateful and no backup selection selects it: aws_backup_selection.tagged needs the tag kler:backup = "true", and it has no such tag',
        fix: expect.stringContaining('"kler:backup" = "true"'),
      },
    ]);
  });

  it('matches the environment tag without values, as the same variable', async () => {
    const problems = await reviewWith(
      backupSelectionMissingResource,
      environment({}),
    );
    expect(problems.map(problem => problem.resource)).toEqual([
      'aws_db_instance.shop',
    ]);
  });

  it('reports a tag of another value', async () => {
    const problems = await reviewWith(
      backupSelectionMissingResource,
      environment({
        efsTags: '{ "kler:environment" = "other", "kler:backup" = "true" }',
        databaseTags: 'merge(var.tags, { "kler:backup" = "true" })',
      }),
      { name: 'prod-eu' },
    );
    expect(problems).toEqual([
      expect.objectContaining({
        resource: 'aws_efs_file_system.this',
        message: expect.stringContaining(
          'needs the tag kler:environment = "prod-eu", and it has "other"',
        ),
      }),
    ]);
  });

  it("counts the provider's default tags", async () => {
    expect(
      await reviewWith(
        backupSelectionMissingResource,
        environment({
          defaultTags: true,
          efsTags: '{ "kler:backup" = "true" }',
          databaseTags: '{ "kler:backup" = "true" }',
        }),
        { name: 'prod-eu' },
      ),
    ).toEqual([]);
  });

  it('selects by reference, ARN pattern and selection_tag, minus not_resources', async () => {
    const selected = (selection: string) =>
      reviewWith(
        backupSelectionMissingResource,
        environment({ selection, databaseTags: '{}' }),
        { name: 'prod-eu' },
      ).then(problems => problems.map(problem => problem.resource));
    expect(
      await selected(
        'resources = ["arn:aws:rds:*:*:db:*", "arn:aws:elasticfilesystem:eu-west-1:1:file-system/fs-1"]',
      ),
    ).toEqual(['aws_efs_file_system.this']);
    expect(
      await selected(
        'selection_tag {\n    type  = "STRINGEQUALS"\n    key   = "kler:backup"\n    value = "true"\n  }',
      ),
    ).toEqual(['aws_db_instance.shop']);
    expect(
      await selected('resources     = ["*"]\n  not_resources = [var.excluded]'),
    ).toEqual([]);
  });

  it('follows a reference to the resource through module outputs', async () => {
    const files = environment({
      selection:
        'resources = var.resources\n}\nvariable "resources" {\n  type = list(string)',
    });
    files['main.tf'] = files['main.tf'].replace(
      'environment = var.name',
      'environment = var.name\n  resources   = [module.efs.efs_arn]',
    );
    const problems = await reviewWith(backupSelectionMissingResource, files, {
      name: 'prod-eu',
    });
    expect(problems).toEqual([
      expect.objectContaining({
        severity: 'error',
        resource: 'aws_db_instance.shop',
        message: expect.stringContaining(
          'does not list it in resources ([aws_efs_file_system.this.arn])',
        ),
      }),
    ]);
  });

  it('warns when it cannot tell, naming the selection', async () => {
    const problems = await reviewWith(
      backupSelectionMissingResource,
      environment({ efsTags: 'var.unknown_tags' }),
      { name: 'prod-eu' },
    );
    expect(problems).toContainEqual(
      expect.objectContaining({
        severity: 'warning',
        resource: 'aws_efs_file_system.this',
        message:
          "The review cannot tell whether aws_backup_selection.tagged selects aws_efs_file_system.this: its tags or the selection's values are expressions it cannot work out",
      }),
    );
  });

  it('reports stateful resources when there is no selection at all', async () => {
    const files = environment({});
    delete (files as Record<string, string>)['modules/backup/main.tf'];
    const problems = await reviewWith(backupSelectionMissingResource, files);
    expect(problems).toHaveLength(2);
    expect(problems[0].message).toContain('has no aws_backup_selection');
  });
});
