import { InputError } from '@backstage/errors';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { checkTerraformPolicy } from '.';
import { POLICY, usePolicyWorkspace } from './__testUtils__/policyWorkspace';

describe('files', () => {
  const policyWorkspace = usePolicyWorkspace();
  const { write, violationsOf } = policyWorkspace;

  describe('passes', () => {
    it(".kler-terraform at the top, the actions' own folder, which is not read", async () => {
      expect(
        await violationsOf({
          'main.tf': 'resource "terraform_data" "x" {}\n',
          '.kler-terraform/plan/main.tf': 'data "external" "x" {}\n',
        }),
      ).toEqual([]);
    });
  });

  it('checks a .tf file in a nested folder that no module references', async () => {
    expect(
      await violationsOf({
        'main.tf': 'resource "terraform_data" "x" {}\n',
        'docs/examples/unused/main.tf':
          'resource "terraform_data" "y" {\n  provisioner "local-exec" {\n    command = "id"\n  }\n}\n',
      }),
    ).toEqual([
      expect.objectContaining({
        file: 'docs/examples/unused/main.tf',
        line: 1,
        block: 'resource "terraform_data" "y" provisioner "local-exec"',
      }),
    ]);
  });

  it('refuses JSON syntax, for Terraform and OpenTofu', async () => {
    await expect(
      violationsOf({ 'main.tf.json': '{"resource": {}}' }),
    ).resolves.toEqual([
      expect.objectContaining({ file: 'main.tf.json', block: 'file' }),
    ]);
    await fs.rm(path.join(policyWorkspace.dir, 'main.tf.json'));
    await expect(
      violationsOf({ 'main.tofu.json': '{"resource": {}}' }),
    ).resolves.toEqual([
      expect.objectContaining({ file: 'main.tofu.json', block: 'file' }),
    ]);
  });

  it('checks .tofu files, which OpenTofu reads in place of the .tf of the same name', async () => {
    expect(
      await violationsOf({
        'main.tf': 'resource "terraform_data" "x" {}\n',
        'main.tofu': 'data "external" "x" {}\n',
      }),
    ).toEqual([expect.objectContaining({ file: 'main.tofu' })]);
  });

  it('refuses symlinks anywhere, also in .terraform', async () => {
    await write({ 'main.tf': 'resource "terraform_data" "x" {}\n' });
    await fs.mkdir(path.join(policyWorkspace.dir, '.terraform'));
    await fs.symlink(
      '/etc/passwd',
      path.join(policyWorkspace.dir, '.terraform', 'passwd'),
    );
    await expect(
      checkTerraformPolicy(policyWorkspace.dir, POLICY),
    ).rejects.toThrow(/\.terraform\/passwd: symlink is refused/);
  });

  it('refuses a .tf that is not a regular file', async () => {
    execFileSync('mkfifo', [path.join(policyWorkspace.dir, 'main.tf')]);
    await expect(
      checkTerraformPolicy(policyWorkspace.dir, POLICY),
    ).rejects.toThrow('main.tf: file is refused: not a regular file');
  });

  it('refuses invalid HCL with its line', async () => {
    const violations = await violationsOf({
      'main.tf': 'locals {\n  a = 1\n  b = = 2\n}\n',
    });
    expect(violations).toEqual([
      expect.objectContaining({
        file: 'main.tf',
        line: 3,
        block: 'the file',
        reason: expect.stringMatching(/^is not valid HCL: /),
      }),
    ]);
  });

  it('refuses more than 500 .tf files', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i <= 500; i++) files[`f${i}.tf`] = '';
    await write(files);
    const error = await checkTerraformPolicy(policyWorkspace.dir, POLICY).catch(
      e => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(
      'The Terraform configuration has more than 500 .tf files',
    );
  });
});
