import fs from 'node:fs/promises';
import path from 'node:path';
import { createTerraformCheckAction } from './check';
import {
  createFixtureWorkspace,
  createTestContext,
  terraformTestConfig,
} from '../__testUtils__/fixtures';

jest.setTimeout(120_000);

describe('kler:terraform:check', () => {
  const action = createTerraformCheckAction({ config: terraformTestConfig() });
  let workspacePath: string;

  beforeEach(async () => {
    workspacePath = await createFixtureWorkspace();
  });
  afterEach(async () => {
    await fs.rm(workspacePath, { recursive: true, force: true });
  });

  it('passes a formatted, valid configuration', async () => {
    const { ctx, outputs } = createTestContext({
      workspacePath,
      input: { workingDirectory: 'terraform' },
    });
    await action.handler(ctx);
    expect(outputs.passed).toBe(true);
    expect(outputs.problems).toEqual([]);
    expect(outputs.validateSkipped).toBe('');
  });

  it('reports formatting and validation problems with file and line', async () => {
    const main = path.join(workspacePath, 'terraform', 'main.tf');
    const text = await fs.readFile(main, 'utf8');
    await fs.writeFile(
      main,
      `${text.replace(
        'resource "terraform_data" "generation" {',
        'resource "terraform_data" "generation" {\n    bogus = 1',
      )}`,
    );
    const { ctx, outputs, lines } = createTestContext({
      workspacePath,
      input: { workingDirectory: 'terraform' },
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      /Terraform check found 2 error\(s\)/,
    );
    expect(outputs.passed).toBe(false);
    const expectedLine =
      text
        .split('\n')
        .findIndex(l => l === 'resource "terraform_data" "generation" {') + 2;
    expect(outputs.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source: 'fmt', file: 'main.tf' }),
        expect.objectContaining({
          source: 'validate',
          severity: 'error',
          file: 'main.tf',
          line: expectedLine,
          message: expect.stringContaining('Unsupported argument'),
        }),
      ]),
    );
    expect(lines).toContainEqual(
      expect.stringContaining(`main.tf:${expectedLine}: Unsupported argument`),
    );
  });

  it('reports a syntax error with its file and line', async () => {
    await fs.writeFile(
      path.join(workspacePath, 'terraform', 'broken.tf'),
      'resource "terraform_data" "x" {\n  input = \n}\n',
    );
    const { ctx, outputs } = createTestContext({
      workspacePath,
      input: { workingDirectory: 'terraform' },
    });
    await expect(action.handler(ctx)).rejects.toThrow(/broken\.tf:\d+/);
    expect(outputs.problems).toContainEqual(
      expect.objectContaining({ file: 'broken.tf', line: expect.any(Number) }),
    );
  });

  it('runs in dry-run', () => {
    expect(action.supportsDryRun).toBe(true);
  });
});
