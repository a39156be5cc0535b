import { usePolicyWorkspace } from './__testUtils__/policyWorkspace';

describe('modules', () => {
  const { violationsOf, refusedBlocks } = usePolicyWorkspace();

  describe('passes', () => {
    it('a local module that goes up a level and stays inside the checked directory', async () => {
      expect(
        await violationsOf({
          'main.tf': 'module "app" {\n  source = "./app"\n}\n',
          'app/main.tf': 'module "shared" {\n  source = "../shared"\n}\n',
          'shared/main.tf': 'output "x" {\n  value = 1\n}\n',
        }),
      ).toEqual([]);
    });
  });

  it.each([
    ['./../../../etc', 'leaves the configuration'],
    ['../outside', 'leaves the configuration'],
    ['./modules/../../x', 'leaves the configuration'],
    ['./.kler-terraform/evil', 'which the policy does not read'],
    ['/etc', 'neither a local path nor'],
    ['git::https://github.com/evil/module.git', 'neither a local path nor'],
    ['github.com/evil/module', 'neither a local path nor'],
    ['app.terraform.io/evil/vpc/aws', 'neither a local path nor'],
    ['hashicorp/consul/aws', 'neither a local path nor'],
  ])('refuses the source %s', async (source, reason) => {
    const violations = await violationsOf({
      'main.tf': `module "x" {\n  source = "${source}"\n}\n`,
    });
    expect(violations).toEqual([
      expect.objectContaining({
        line: 1,
        block: 'module "x"',
        reason: expect.stringContaining(reason),
      }),
    ]);
  });

  it('refuses a module without a source', async () => {
    expect(await refusedBlocks('module "x" {}\n')).toEqual(['module "x"']);
  });

  it('reads a module in .terraform like any folder: it came with the configuration', async () => {
    const violations = await violationsOf({
      'main.tf': 'module "m" {\n  source = "./.terraform/evil"\n}\n',
      '.terraform/evil/main.tf': 'data "external" "x" {}\n',
    });
    expect(
      violations.map(violation => `${violation.file} ${violation.block}`),
    ).toEqual(['.terraform/evil/main.tf data "external" "x"']);
  });
});
