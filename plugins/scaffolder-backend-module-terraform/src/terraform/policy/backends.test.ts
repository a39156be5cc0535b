import { usePolicyWorkspace } from './__testUtils__/policyWorkspace';

describe('backends', () => {
  const { violationsOf } = usePolicyWorkspace();

  it('refuses backends outside the allowlist and cloud', async () => {
    const violations = await violationsOf({
      'main.tf': `terraform {
  backend "local" {
    path = "/srv/state/terraform.tfstate"
  }
  cloud {
    organization = "evil"
  }
}
`,
    });
    expect(violations).toEqual([
      {
        file: 'main.tf',
        line: 2,
        block: 'backend "local"',
        reason: 'is not in kler.terraform.allowedBackends (s3)',
      },
      {
        file: 'main.tf',
        line: 5,
        block: 'cloud',
        reason: 'is refused: runs go through the portal, not HCP Terraform',
      },
    ]);
  });
});
