import { POLICY, usePolicyWorkspace } from './__testUtils__/policyWorkspace';

describe('settings that read host files', () => {
  const { violationsOf, refusedBlocks } = usePolicyWorkspace();

  it('refuses shared AWS config files, whose credential_process runs a program', async () => {
    expect(
      await violationsOf({
        'main.tf': `terraform {
  backend "s3" {
    shared_credentials_files = ["/home/backstage/.aws/credentials"]
  }
}
provider "aws" {
  profile             = "evil"
  shared_config_files = ["\${path.module}/aws.config"]

  custom_ca_bundle    = "/etc/shadow"

  assume_role_with_web_identity {
    web_identity_token_file = "/var/run/secrets/token"
  }
}
`,
        'aws.config': '[profile evil]\ncredential_process = sh -c id\n',
      }),
    ).toEqual([
      expect.objectContaining({
        line: 2,
        block: 'backend "s3" shared_credentials_files',
        reason:
          'is refused: it makes Terraform read a file of the host or run a program',
      }),
      expect.objectContaining({
        line: 6,
        block: 'provider "aws" web_identity_token_file',
      }),
      expect.objectContaining({
        line: 6,
        block: 'provider "aws" custom_ca_bundle',
      }),
      expect.objectContaining({
        line: 6,
        block: 'provider "aws" shared_config_files',
      }),
    ]);
  });

  it('refuses the exec plugin of a kubeconfig-style provider', async () => {
    expect(
      await refusedBlocks(
        `provider "kubernetes" {\n  exec {\n    command = "sh"\n  }\n}\n`,
        { ...POLICY, allowedProviders: ['hashicorp/kubernetes'] },
      ),
    ).toEqual(['provider "kubernetes" exec']);
  });
});
