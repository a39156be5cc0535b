import {
  BOOTSTRAP_TERRAFORM_DIR,
  evaluateTerraformLocals,
  parseTerraform,
} from '../__testUtils__/templates';
import {
  buildPipelineConfig,
  ENVIRONMENT_NAME,
  environmentStateKey,
  pipelineRoleArn,
} from './pipelineConfig';

jest.setTimeout(60_000);

describe('buildPipelineConfig', () => {
  it('gives the pipeline the target, the role of its account and the state backend without credentials', () => {
    expect(
      buildPipelineConfig({
        environment: 'staging',
        target: {
          accountId: '111111111111',
          region: 'eu-central-1',
          tier: 'development',
        },
        backendConfig: {
          bucket: 'kler-terraform-state',
          region: 'eu-west-1',
          kms_key_id: 'alias/kler-terraform-state',
          use_lockfile: 'true',
          key: 'somewhere/else.tfstate',
          access_key: 'AKIAKLERPORTAL000001',
          secret_key: 'portal-secret',
          role_arn: 'arn:aws:iam::333333333333:role/kler-portal-state',
        },
      }),
    ).toEqual({
      environment: 'staging',
      accountId: '111111111111',
      region: 'eu-central-1',
      tier: 'development',
      roleArn: 'arn:aws:iam::111111111111:role/kler-environments-pipeline',
      backendConfig: {
        bucket: 'kler-terraform-state',
        region: 'eu-west-1',
        kms_key_id: 'alias/kler-terraform-state',
        use_lockfile: 'true',
        key: 'environments/staging/terraform.tfstate',
      },
      allowDestroy: false,
    });
  });

  it('names environments as kler-environment does', () => {
    expect(ENVIRONMENT_NAME.test('staging')).toBe(true);
    expect(ENVIRONMENT_NAME.test('eu-shop-2')).toBe(true);
    for (const name of ['', 'x', 'Staging', '-staging', 'staging-', 'a/b']) {
      expect(ENVIRONMENT_NAME.test(name)).toBe(false);
    }
    expect(environmentStateKey('staging')).toBe(
      'environments/staging/terraform.tfstate',
    );
  });
});

describe("the pipeline role is kler-bootstrap's", () => {
  it('has the name and the root path the bootstrap gives it, and trusts the tier environment of the repository', async () => {
    const evaluation = await evaluateTerraformLocals(
      BOOTSTRAP_TERRAFORM_DIR,
      {
        account_id: '111111111111',
        region: 'eu-west-1',
        tier: 'development',
        portal_role_arn: 'arn:aws:iam::333333333333:role/kler-portal',
        environments_repository: 'kler/environments',
        state_bucket_name: 'kler-terraform-state',
        state_account_id: '222222222222',
        state_kms_key_arn:
          'arn:aws:kms:eu-west-1:222222222222:key/00000000-0000-0000-0000-000000000000',
      },
      ['pipeline_role_name', 'github_subject'],
      { files: ['portal-read-actions.json'] },
    );
    expect(evaluation.stderr).toBe('');
    expect(evaluation.locals).toEqual({
      pipeline_role_name: 'kler-environments-pipeline',
      github_subject: 'repo:kler/environments:environment:development',
    });
    const parsed = await parseTerraform(BOOTSTRAP_TERRAFORM_DIR);
    const role = parsed['pipeline.tf'].resource.aws_iam_role.pipeline[0];
    expect(role.name).toBe('${local.pipeline_role_name}');
    // No path: the role's ARN is role/<name>, as pipeline.json says.
    expect(role.path).toBeUndefined();
    expect(pipelineRoleArn('111111111111')).toBe(
      'arn:aws:iam::111111111111:role/kler-environments-pipeline',
    );
  });
});
