import { ConfigReader } from '@backstage/config';
import { ENVIRONMENT_AREA_IAM_ACTIONS } from '@kler/plugin-environments-common';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { readTerraformConfig } from '../terraform/config';
import { checkTerraformPolicy } from '../terraform/policy';
import { TERRAFORM_BINARY } from '../__testUtils__/fixtures';
import {
  BOOTSTRAP_TERRAFORM_DIR,
  ENVIRONMENT_TERRAFORM_DIR,
  evaluateTerraformLocals,
  parseTerraform,
  TEMPLATES_DIR,
} from '../__testUtils__/templates';

jest.setTimeout(120_000);

/**
 * kler-bootstrap, the root module a platform engineer applies once per AWS
 * account with admin credentials: the Terraform state bucket, the roles the
 * portal and the environments pipeline assume, and the boundary of every
 * role an environment creates. Proven offline: its HCL, and its variables
 * and locals evaluated by Terraform.
 */

const READ_ACTIONS_FILE = 'portal-read-actions.json';

/** terraform.tfvars.json of a bootstrap, with `overrides`. */
function bootstrapVariables(overrides: Record<string, unknown> = {}) {
  return {
    account_id: '222222222222',
    region: 'eu-west-1',
    tier: 'production',
    portal_role_arn: 'arn:aws:iam::333333333333:role/kler-portal',
    environments_repository: 'kler/environments',
    state_bucket_name: 'kler-terraform-state-222222222222',
    state_account_id: '222222222222',
    environment_account_ids: ['111111111111', '222222222222'],
    ...overrides,
  };
}

let parsed: Record<string, Record<string, any>>;

beforeAll(async () => {
  parsed = await parseTerraform(BOOTSTRAP_TERRAFORM_DIR);
});

/** The one block of a kind and name in a file of the bootstrap. */
function block(file: string, ...keys: string[]) {
  const unwrap = (value: any) => (Array.isArray(value) ? value[0] : value);
  const found = keys.reduce(
    (at: any, key) => unwrap(at?.[key]),
    parsed[file] as any,
  );
  if (found === undefined) {
    throw new Error(`${file} has no ${keys.join(' ')}`);
  }
  return found;
}

/** Every resource of a type in the bootstrap, whatever its file. */
function resource(type: string, name: string) {
  const file = Object.keys(parsed).find(
    candidate => parsed[candidate].resource?.[type]?.[name],
  );
  if (!file) throw new Error(`no resource ${type}.${name}`);
  return block(file, 'resource', type, name);
}

describe('the portal read role and ENVIRONMENT_AREA_IAM_ACTIONS', () => {
  it(`${READ_ACTIONS_FILE} holds exactly the actions the environments backend needs, area by area`, async () => {
    const file = JSON.parse(
      await fs.readFile(
        path.join(BOOTSTRAP_TERRAFORM_DIR, READ_ACTIONS_FILE),
        'utf8',
      ),
    );
    const sorted = (areas: Record<string, string[]>) =>
      Object.fromEntries(
        Object.entries(areas).map(([area, actions]) => [
          area,
          [...actions].sort(),
        ]),
      );
    expect(sorted(file.areas)).toEqual(sorted(ENVIRONMENT_AREA_IAM_ACTIONS));
  });

  it('the file is byte for byte what its script writes (--check)', () => {
    const run = () =>
      execFileSync(
        process.execPath,
        [
          '--require',
          '@backstage/cli/config/nodeTransform.cjs',
          path.join(BOOTSTRAP_TERRAFORM_DIR, 'generate-portal-read-actions.ts'),
          '--check',
        ],
        { cwd: path.dirname(TEMPLATES_DIR), encoding: 'utf8', stdio: 'pipe' },
      );
    expect(run()).toBe(
      'templates/kler-bootstrap/portal-read-actions.json is up to date\n',
    );
  });

  it('the read role is granted that list, read by Terraform from the file', async () => {
    expect(block('locals.tf', 'locals').portal_read).toBe(
      '${jsondecode(file("${path.module}/portal-read-actions.json"))}',
    );
    const { stderr, locals } = await evaluateTerraformLocals(
      BOOTSTRAP_TERRAFORM_DIR,
      bootstrapVariables(),
      ['portal_read_actions'],
      { files: [READ_ACTIONS_FILE] },
    );
    expect(stderr).toBe('');
    expect(locals!.portal_read_actions).toEqual(
      [...new Set(Object.values(ENVIRONMENT_AREA_IAM_ACTIONS).flat())].sort(),
    );
    const policy: string = resource('aws_iam_policy', 'portal_read').policy;
    expect(policy).toMatch(
      /Action\s*=\s*local.portal_read_actions\s*Resource\s*=\s*"\*"/,
    );
    expect(
      resource('aws_iam_role_policy_attachment', 'portal_read'),
    ).toMatchObject({
      role: '${aws_iam_role.portal_read.name}',
      policy_arn: '${aws_iam_policy.portal_read.arn}',
    });
  });
});

describe('the Terraform state bucket', () => {
  it('is versioned, encrypted with its own KMS key, private and TLS-only', () => {
    expect(resource('aws_s3_bucket', 'state')).toMatchObject({
      count: '${local.state_account ? 1 : 0}',
      bucket: '${var.state_bucket_name}',
    });
    expect(
      resource('aws_s3_bucket_versioning', 'state').versioning_configuration[0]
        .status,
    ).toBe('Enabled');
    const encryption = resource(
      'aws_s3_bucket_server_side_encryption_configuration',
      'state',
    ).rule[0];
    expect(encryption.apply_server_side_encryption_by_default[0]).toEqual({
      sse_algorithm: 'aws:kms',
      kms_master_key_id: '${aws_kms_key.state[0].arn}',
    });
    expect(encryption.bucket_key_enabled).toBe(true);
    expect(
      resource('aws_s3_bucket_public_access_block', 'state'),
    ).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(resource('aws_kms_key', 'state').enable_key_rotation).toBe(true);
    const policy: string = resource('aws_s3_bucket_policy', 'state').policy;
    expect(policy).toMatch(/Effect\s*=\s*"Deny"/);
    expect(policy).toContain('"aws:SecureTransport" = "false"');
  });

  it('locks with S3 itself (use_lockfile): no DynamoDB table anywhere', async () => {
    const environment = await parseTerraform(ENVIRONMENT_TERRAFORM_DIR);
    expect(environment['versions.tf'].terraform[0].backend.s3[0]).toMatchObject(
      { use_lockfile: true, encrypt: true },
    );
    for (const body of [
      ...Object.values(parsed),
      ...Object.values(environment),
    ]) {
      expect(Object.keys(body.resource ?? {})).not.toContain(
        'aws_dynamodb_table',
      );
    }
  });

  it("lets the environment accounts' provisioner and pipeline roles use it, by their ARNs", async () => {
    const { stderr, locals } = await evaluateTerraformLocals(
      BOOTSTRAP_TERRAFORM_DIR,
      bootstrapVariables(),
      ['state_account', 'state_user_role_arns'],
      { files: [READ_ACTIONS_FILE] },
    );
    expect(stderr).toBe('');
    expect(locals).toEqual({
      state_account: true,
      state_user_role_arns: [
        'arn:aws:iam::111111111111:role/kler-provisioner',
        'arn:aws:iam::111111111111:role/kler-environments-pipeline',
        'arn:aws:iam::222222222222:role/kler-provisioner',
        'arn:aws:iam::222222222222:role/kler-environments-pipeline',
      ],
    });
  });

  it('an account without the bucket needs the state key of the account that has it', async () => {
    const evaluation = await evaluateTerraformLocals(
      BOOTSTRAP_TERRAFORM_DIR,
      bootstrapVariables({ account_id: '111111111111', tier: 'development' }),
      ['state_account'],
      { files: [READ_ACTIONS_FILE] },
    );
    expect(evaluation.exitCode).toBe(1);
    expect(evaluation.stderr).toContain('state_kms_key_arn');
  });
});

describe('the roles', () => {
  it("the provisioning and read roles trust the portal's role only", () => {
    for (const name of ['provisioner', 'portal_read']) {
      const trust: string = resource('aws_iam_role', name).assume_role_policy;
      expect(trust).toContain('Principal = { AWS = var.portal_role_arn }');
      expect(trust).toContain('Action    = "sts:AssumeRole"');
    }
  });

  it('the pipeline role trusts GitHub Actions of the environments repository only, through an OIDC provider', async () => {
    expect(resource('aws_iam_openid_connect_provider', 'github')).toMatchObject(
      {
        url: 'https://token.actions.githubusercontent.com',
        client_id_list: ['sts.amazonaws.com'],
      },
    );
    const trust: string = resource(
      'aws_iam_role',
      'pipeline',
    ).assume_role_policy;
    expect(trust).toContain('Action    = "sts:AssumeRoleWithWebIdentity"');
    expect(trust).toContain(
      '"token.actions.githubusercontent.com:sub" = local.github_subject',
    );
    expect(trust).toContain(
      '"token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"',
    );
    // Exact match: no wildcard can widen it.
    expect(trust).toMatch(/StringEquals\s*=\s*\{/);
    expect(trust).not.toContain('StringLike');
    const { locals } = await evaluateTerraformLocals(
      BOOTSTRAP_TERRAFORM_DIR,
      bootstrapVariables(),
      ['github_subject'],
      { files: [READ_ACTIONS_FILE] },
    );
    expect(locals!.github_subject).toBe(
      'repo:kler/environments:environment:production',
    );
  });

  it.each(['kler/*', '*/environments', 'kler/environments:ref:*', 'kler'])(
    'Terraform refuses the repository %s',
    async repository => {
      const evaluation = await evaluateTerraformLocals(
        BOOTSTRAP_TERRAFORM_DIR,
        bootstrapVariables({ environments_repository: repository }),
        ['github_subject'],
        { files: [READ_ACTIONS_FILE] },
      );
      expect(evaluation.exitCode).toBe(1);
      expect(evaluation.stderr).toContain('environments_repository is');
    },
  );

  it('the provisioner creates roles only under /kler/ and only with the environment boundary', () => {
    const policy: string = resource('aws_iam_policy', 'provision_iam').policy;
    expect(policy).toContain(
      '"iam:PermissionsBoundary" = aws_iam_policy.environment_boundary.arn',
    );
    expect(policy).toContain(
      'Resource = "arn:aws:iam::${var.account_id}:role/kler/*"',
    );
    expect(policy).toContain('"iam:PassedToService"');
    const boundary = resource('aws_iam_policy', 'environment_boundary');
    expect(boundary).toMatchObject({
      name: 'kler-environment-boundary',
      path: '/kler/',
    });
    expect(boundary.policy).toMatch(/Effect\s*=\s*"Deny"/);
    expect(boundary.policy).toContain('"iam:*"');
  });

  it('every role an environment creates carries that boundary, under /kler/', async () => {
    const environment = await parseTerraform(ENVIRONMENT_TERRAFORM_DIR);
    const roles = Object.entries(environment).flatMap(([file, body]) =>
      Object.entries(body.resource?.aws_iam_role ?? {}).map(
        ([name, blocks]) => ({
          role: `${file} ${name}`,
          ...(blocks as any)[0],
        }),
      ),
    );
    expect(roles.length).toBeGreaterThanOrEqual(4);
    for (const role of roles) {
      expect({
        role: role.role,
        path: role.path,
        boundary: role.permissions_boundary,
      }).toEqual({
        role: role.role,
        path: '/kler/',
        boundary: '${var.permissions_boundary_arn}',
      });
    }
    const { locals } = await evaluateTerraformLocals(
      ENVIRONMENT_TERRAFORM_DIR,
      {
        name: 'dev-two',
        tier: 'development',
        owner: 'group:default/platform-team',
        aws_account_id: '111111111111',
        aws_region: 'eu-west-1',
        instance_type: 't3.large',
        capacity_min: 1,
        capacity_max: 2,
        efs: false,
        backup_schedule: 'daily',
        backup_retention_days: 7,
        domain_name: 'dev-two.kler.example',
        hosted_zone_id: 'Z0123456789ABCDEFGHIJ',
        alarm_emails: ['oncall@kler.example'],
        default_service: 'storefront',
        services: {
          storefront: { cpu: 256, memory: 512, desired_min: 1, desired_max: 1 },
        },
      },
      ['permissions_boundary_arn'],
    );
    expect(locals!.permissions_boundary_arn).toBe(
      'arn:aws:iam::111111111111:policy/kler/kler-environment-boundary',
    );
  });
});

describe('kler-bootstrap as a whole', () => {
  it('is formatted canonically (terraform fmt -check)', () => {
    expect(() =>
      execFileSync(
        TERRAFORM_BINARY,
        ['fmt', '-check', '-recursive', '-diff', '-no-color'],
        {
          cwd: BOOTSTRAP_TERRAFORM_DIR,
          env: { PATH: process.env.PATH, TF_IN_AUTOMATION: '1' },
          stdio: 'pipe',
        },
      ),
    ).not.toThrow();
  });

  it('passes the content policy with its defaults', async () => {
    await expect(
      checkTerraformPolicy(
        BOOTSTRAP_TERRAFORM_DIR,
        readTerraformConfig(new ConfigReader({})).policy,
      ),
    ).resolves.toBeUndefined();
  });
});
