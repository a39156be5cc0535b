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

  it('reports a misspelt AWS argument with its file, line and the right name, before Terraform could', async () => {
    await fs.writeFile(
      path.join(workspacePath, 'terraform', 'aws.tf'),
      [
        'terraform {',
        '  required_providers {',
        '    aws = {',
        '      source = "hashicorp/aws"',
        '    }',
        '  }',
        '}',
        '',
        'resource "aws_efs_file_system" "shared" {',
        '  encryptd = true',
        '}',
        '',
      ].join('\n'),
    );
    const { ctx, outputs } = createTestContext({
      workspacePath,
      isDryRun: true,
      input: { workingDirectory: 'terraform' },
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      /\[schema error\] aws\.tf:10: .*encryptd.*encrypted/,
    );
    expect(outputs.problems).toContainEqual(
      expect.objectContaining({ source: 'schema', file: 'aws.tf', line: 10 }),
    );
    // Without the provider (a dry run downloads nothing), Terraform itself
    // could not have said so.
    expect(outputs.validateSkipped).toMatch(/^dry run/);
  });

  it("reports the Well-Architected review's findings with a rule and a fix", async () => {
    await fs.writeFile(
      path.join(workspacePath, 'terraform', 'aws.tf'),
      [
        'terraform {',
        '  required_providers {',
        '    aws = {',
        '      source = "hashicorp/aws"',
        '    }',
        '  }',
        '}',
        '',
        'resource "aws_lb_listener" "http" {',
        '  load_balancer_arn = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/x/1"',
        '  port              = 80',
        '  protocol          = "HTTP"',
        '',
        '  default_action {',
        '    type             = "forward"',
        '    target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/x/1"',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    const { ctx, outputs, lines } = createTestContext({
      workspacePath,
      isDryRun: true,
      input: { workingDirectory: 'terraform' },
    });
    await expect(action.handler(ctx)).rejects.toThrow(/http-not-redirected/);
    expect(outputs.problems).toContainEqual(
      expect.objectContaining({
        source: 'review',
        rule: 'http-not-redirected',
        severity: 'error',
        file: 'aws.tf',
        fix: expect.any(String),
      }),
    );
    expect(lines.join('\n')).toMatch(
      /\[review error\] aws\.tf:\d+: \(http-not-redirected\) .* Fix: /,
    );
  });

  it('runs in dry-run', () => {
    expect(action.supportsDryRun).toBe(true);
  });
});
