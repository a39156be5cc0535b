import { reviewWith } from './__testUtils__/configurations';
import {
  looksLikeCredential,
  looksLikeSecretName,
  secretInVariables,
  ssmSecureStringValue,
  taskDefinitionPlaintextSecret,
} from './secretRules';

describe('looksLikeSecretName', () => {
  it.each([
    'DB_PASSWORD',
    'db_passwd',
    'APP_SECRET',
    'GITHUB_TOKEN',
    'API_KEY',
    'apiKey',
    'AWS_SECRET_ACCESS_KEY',
    'STRIPE_KEY',
    'private_key',
    'SMTP_CREDENTIALS',
  ])('%s is a secret', name => {
    expect(looksLikeSecretName(name)).toBe(true);
  });

  it.each([
    'LOG_LEVEL',
    'APP_SECRET_ARN',
    'TOKEN_TTL',
    'kms_key_arn',
    'KMS_KEY',
    'SSH_PUBLIC_KEY',
    'PASSWORD_PARAMETER',
    'key_name',
    'MONKEY',
  ])('%s is not', name => {
    expect(looksLikeSecretName(name)).toBe(false);
  });
});

describe('looksLikeCredential', () => {
  it('recognizes credentials whatever their name', () => {
    expect(looksLikeCredential('AKIAIOSFODNN7EXAMPLE')).toBe(true);
    expect(looksLikeCredential('-----BEGIN RSA PRIVATE KEY-----\nx')).toBe(
      true,
    );
    expect(looksLikeCredential(`ghp_${'a'.repeat(36)}`)).toBe(true);
    expect(looksLikeCredential('postgres://shop:hunter2@db:5432/shop')).toBe(
      true,
    );
    expect(looksLikeCredential('postgres://db:5432/shop')).toBe(false);
    expect(looksLikeCredential('info')).toBe(false);
  });
});

const task = (environment: string, extra = '') => ({
  'main.tf': `
resource "aws_ecs_task_definition" "this" {
  family = "shop"
  container_definitions = jsonencode([{
    name        = "shop"
    image       = "shop:1.0.0"
    environment = ${environment}
    secrets     = [{ name = "APP_SECRET", valueFrom = "arn:aws:ssm:eu-west-1:1:parameter/x" }]
  }])
}
${extra}
`,
});

describe('task-definition-plaintext-secret', () => {
  it('reports an entry named like a secret, never printing its value', async () => {
    const problems = await reviewWith(
      taskDefinitionPlaintextSecret,
      task(
        '[{ name = "DB_PASSWORD", value = "hunter2" }, { name = "LOG_LEVEL", value = "info" }]',
      ),
    );
    expect(problems).toEqual([
      {
        source: 'review',
        rule: 'task-definition-plaintext-secret',
        severity: 'error',
        file: 'main.tf',
        line: 2,
        resource: 'aws_ecs_task_definition.this',
        message: expect.stringContaining(
          "aws_ecs_task_definition.this puts DB_PASSWORD in a container's environment",
        ),
        fix: expect.stringContaining('{ name = "DB_PASSWORD", valueFrom ='),
      },
    ]);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });

  it('reports a literal credential under any name', async () => {
    const problems = await reviewWith(
      taskDefinitionPlaintextSecret,
      task(
        '[{ name = "DATABASE_URL", value = "postgres://shop:hunter2@db/shop" }]',
      ),
    );
    expect(problems).toEqual([
      expect.objectContaining({
        message: expect.stringContaining(
          "puts DATABASE_URL in a container's environment with a literal credential as its value",
        ),
      }),
    ]);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });

  it('follows a for over a variable, as the template builds the environment', async () => {
    const environment =
      '[for key, value in var.environment_variables : { name = key, value = value }]';
    const variable = (value: string) => `
variable "environment_variables" {
  type    = map(string)
  default = ${value}
}
`;
    expect(
      await reviewWith(
        taskDefinitionPlaintextSecret,
        task(environment, variable('{ API_TOKEN = "x", LOG_LEVEL = "info" }')),
      ),
    ).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('puts API_TOKEN'),
      }),
    ]);
    expect(
      await reviewWith(
        taskDefinitionPlaintextSecret,
        task(environment, variable('{}')),
      ),
    ).toEqual([]);
  });

  it('reads container definitions written as JSON', async () => {
    const problems = await reviewWith(taskDefinitionPlaintextSecret, {
      'main.tf': `
resource "aws_ecs_task_definition" "this" {
  family                = "shop"
  container_definitions = <<EOF
[{"name": "shop", "environment": [{"name": "SECRET_KEY", "value": "\${var.secret_key}"}]}]
EOF
}
`,
    });
    expect(problems).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('SECRET_KEY'),
      }),
    ]);
  });

  it('passes secrets through valueFrom, and what it cannot see', async () => {
    expect(
      await reviewWith(
        taskDefinitionPlaintextSecret,
        task('[{ name = "LOG_LEVEL", value = "info" }]'),
      ),
    ).toEqual([]);
    expect(
      await reviewWith(taskDefinitionPlaintextSecret, task('var.environment')),
    ).toEqual([]);
  });
});

describe('ssm-secure-string-value', () => {
  const parameter = (settings: string) => ({
    'main.tf': `
resource "aws_ssm_parameter" "secret" {
  name = "/kler/prod/app-secret"
  ${settings}
}
`,
  });

  it("reports the template's placeholder: the real value still reaches the state", async () => {
    const problems = await reviewWith(
      ssmSecureStringValue,
      parameter(`type  = "SecureString"
  value = "SET-OUT-OF-BAND"

  lifecycle {
    ignore_changes = [value]
  }`),
    );
    expect(problems).toEqual([
      {
        source: 'review',
        rule: 'ssm-secure-string-value',
        severity: 'error',
        file: 'main.tf',
        line: 2,
        resource: 'aws_ssm_parameter.secret',
        message: expect.stringContaining(
          'and ignore_changes = [value]: the placeholder is in the configuration, and the provider reads the real value set out of band into the state at every refresh',
        ),
        fix: expect.stringContaining('value_wo'),
      },
    ]);
  });

  it('reports a literal or an expression value', async () => {
    expect(
      await reviewWith(
        ssmSecureStringValue,
        parameter('type  = "SecureString"\n  value = "hunter2"'),
      ),
    ).toEqual([
      expect.objectContaining({
        message: expect.stringContaining(
          'with a literal value: the secret is in the configuration',
        ),
      }),
    ]);
    expect(
      await reviewWith(
        ssmSecureStringValue,
        parameter('type  = "SecureString"\n  value = var.password'),
      ),
    ).toEqual([
      expect.objectContaining({
        message:
          'aws_ssm_parameter.secret is a SecureString whose value (var.password) Terraform stores in its state in plain text',
      }),
    ]);
  });

  it('passes value_wo and plain String parameters', async () => {
    expect(
      await reviewWith(
        ssmSecureStringValue,
        parameter(
          'type             = "SecureString"\n  value_wo         = var.password\n  value_wo_version = 1',
        ),
      ),
    ).toEqual([]);
    expect(
      await reviewWith(
        ssmSecureStringValue,
        parameter('type  = "String"\n  value = "kler-prod"'),
      ),
    ).toEqual([]);
  });
});

describe('secret-in-variables', () => {
  it('reports a secret in the values file, with its line, never its value', async () => {
    const problems = await reviewWith(
      secretInVariables,
      {},
      { name: 'prod', database: { master_password: 'hunter2' } },
    );
    expect(problems).toEqual([
      {
        source: 'review',
        rule: 'secret-in-variables',
        severity: 'error',
        file: 'terraform.tfvars.json',
        line: 4,
        resource: 'var.database.master_password',
        message: expect.stringContaining(
          'var.database.master_password holds a secret in terraform.tfvars.json',
        ),
        fix: expect.stringContaining('SSM Parameter Store'),
      },
    ]);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });

  it('reports a secret default, and passes empty ones', async () => {
    const problems = await reviewWith(secretInVariables, {
      'variables.tf': `
variable "api_token" {
  type    = string
  default = "t0ken"
}
variable "db_password" {
  type    = string
  default = ""
}
variable "token_ttl" {
  type    = string
  default = "1h"
}
`,
    });
    expect(problems).toEqual([
      expect.objectContaining({ resource: 'var.api_token', line: 2 }),
    ]);
  });
});
