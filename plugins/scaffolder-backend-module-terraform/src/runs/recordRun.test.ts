import { mockServices } from '@backstage/backend-test-utils';
import { EnvironmentRunReport } from '@kler/plugin-environments-common';
import fs from 'node:fs/promises';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { createTerraformApplyAction } from '../actions/apply';
import { createTerraformPlanAction } from '../actions/plan';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  createFixtureWorkspace,
  createTestContext,
  environmentEntity,
  terraformTestOptions,
  testTarget,
} from '../__testUtils__/fixtures';
import { EnvironmentsRunRecorder, RunRecorder } from './recordRun';

jest.setTimeout(180_000);

/** A stand-in for the environments backend's POST route. */
async function startEnvironmentsBackend(status = 201) {
  const requests: Array<{
    url?: string;
    authorization?: string;
    body: unknown;
  }> = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', chunk => {
      text += chunk;
    });
    req.on('end', () => {
      requests.push({
        url: req.url,
        authorization: req.headers.authorization,
        body: JSON.parse(text),
      });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        status < 400
          ? '{}'
          : JSON.stringify({
              error: {
                name: 'NotFoundError',
                message: "No environment named 'staging'",
              },
              response: { statusCode: status },
            }),
      );
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    requests,
    discovery: {
      getBaseUrl: async (pluginId: string) =>
        `http://127.0.0.1:${port}/api/${pluginId}`,
      getExternalBaseUrl: async (pluginId: string) =>
        `http://127.0.0.1:${port}/api/${pluginId}`,
    },
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

describe('EnvironmentsRunRecorder', () => {
  const report: EnvironmentRunReport = {
    kind: 'apply',
    source: 'portal',
    outcome: 'failed',
    message: 'terraform apply failed',
  };

  it("posts the run to the environments backend with the plugin's own service token", async () => {
    const backend = await startEnvironmentsBackend();
    try {
      const recorder = new EnvironmentsRunRecorder({
        auth: mockServices.auth({ pluginId: 'scaffolder' }),
        discovery: backend.discovery,
      });
      await recorder.record('my env', report);
      expect(backend.requests).toEqual([
        {
          url: '/api/environments/v1/environments/my%20env/runs',
          authorization: `Bearer mock-service-token:${JSON.stringify({
            sub: 'plugin:scaffolder',
            target: 'environments',
          })}`,
          body: report,
        },
      ]);
    } finally {
      await backend.close();
    }
  });

  it("throws the backend's error", async () => {
    const backend = await startEnvironmentsBackend(404);
    try {
      const recorder = new EnvironmentsRunRecorder({
        auth: mockServices.auth({ pluginId: 'scaffolder' }),
        discovery: backend.discovery,
      });
      await expect(recorder.record('staging', report)).rejects.toMatchObject({
        name: 'ResponseError',
        statusCode: 404,
      });
    } finally {
      await backend.close();
    }
  });
});

describe('plan and apply record their runs (real CLI)', () => {
  const recorded: Array<{ name: string; report: EnvironmentRunReport }> = [];
  const runRecorder: RunRecorder = {
    record: jest.fn(async (name: string, report: EnvironmentRunReport) => {
      recorded.push({ name, report });
    }),
  };
  const options = {
    ...terraformTestOptions({
      catalog: catalogServiceMock({ entities: [environmentEntity('qa')] }),
    }),
    runRecorder,
  };
  const plan = createTerraformPlanAction(options);
  const apply = createTerraformApplyAction(options);
  let workspacePath: string;

  beforeEach(async () => {
    recorded.length = 0;
    workspacePath = await createFixtureWorkspace();
  });
  afterEach(async () => {
    await fs.rm(workspacePath, { recursive: true, force: true });
  });

  function context<TInput extends Record<string, any>>(
    input: TInput,
    isDryRun = false,
  ) {
    const test = createTestContext({ workspacePath, input, isDryRun });
    Object.assign(test.ctx, {
      task: { id: 'b3a9f6e2' },
      user: { ref: 'user:default/alice' },
    });
    return test;
  }

  async function runPlan(vars: Record<string, unknown> = {}) {
    const planned = context({
      workingDirectory: 'terraform',
      ...testTarget(),
      vars,
      environmentName: 'staging',
    });
    await plan.handler(planned.ctx);
    return planned;
  }

  it('records a plan with its summary and an apply, under environmentName', async () => {
    const planned = await runPlan({ name: 'staging' });
    const applied = context({
      planFile: planned.outputs.planFile,
      planSha256: planned.outputs.planSha256,
      allowDestroy: false,
      environmentName: 'staging',
    });
    await apply.handler(applied.ctx);

    const summary = {
      add: 2,
      change: 0,
      destroy: 0,
      replace: 0,
      byType: {
        terraform_data: { add: 2, change: 0, destroy: 0, replace: 0 },
      },
      outputChanges: 4,
    };
    expect(recorded).toEqual([
      {
        name: 'staging',
        report: {
          kind: 'plan',
          source: 'portal',
          outcome: 'succeeded',
          at: expect.any(String),
          actor: 'user:default/alice',
          link: '/create/tasks/b3a9f6e2',
          summary,
          message: 'Plan: 2 to add, 0 to change, 0 to destroy, 0 to replace',
        },
      },
      {
        name: 'staging',
        report: expect.objectContaining({
          kind: 'apply',
          outcome: 'succeeded',
          summary,
          message: 'Applied: 2 to add, 0 to change, 0 to destroy, 0 to replace',
        }),
      },
    ]);
    expect(applied.lines).toContain(
      'Recorded this apply (succeeded) in the history of environment staging',
    );
  });

  it("records under the target's catalog environment rather than environmentName", async () => {
    const planned = context({
      workingDirectory: 'terraform',
      environment: 'resource:default/qa',
      environmentName: 'staging',
    });
    await plan.handler(planned.ctx);
    expect(recorded.map(r => r.name)).toEqual(['qa']);
  });

  it('records a failed apply with the error, masked', async () => {
    const secret = 'tok-Record-Secret-4711';
    const planned = context({
      workingDirectory: 'terraform',
      ...testTarget(),
      vars: { fail_apply: true, api_token: secret },
      sensitiveVars: ['api_token'],
      environmentName: 'staging',
    });
    await plan.handler(planned.ctx);
    const applied = context({
      planFile: planned.outputs.planFile,
      planSha256: planned.outputs.planSha256,
      allowDestroy: false,
      sensitiveVars: ['api_token'],
      environmentName: 'staging',
    });
    await expect(apply.handler(applied.ctx)).rejects.toThrow(
      /terraform apply failed/,
    );
    const failed = recorded[1].report;
    expect(failed).toMatchObject({ kind: 'apply', outcome: 'failed' });
    expect(failed.message).toContain(
      'terraform apply failed (exit code 1): Error: Resource postcondition failed',
    );
    expect(JSON.stringify(recorded)).not.toContain(secret);
  });

  it('records an apply refused before Terraform ran as skipped: nothing was applied', async () => {
    await runPlan();
    const applied = context({
      planFile: '.kler-terraform/not-a-plan/plan.tfplan',
      planSha256: 'a'.repeat(64),
      allowDestroy: false,
      environmentName: 'staging',
    });
    await expect(apply.handler(applied.ctx)).rejects.toThrow();
    expect(recorded[1].report).toMatchObject({
      kind: 'apply',
      outcome: 'skipped',
      message: expect.stringMatching(/^Nothing was applied: /),
    });
  });

  it('records a plan that failed, and a skipped apply after it', async () => {
    await fs.appendFile(
      `${workspacePath}/terraform/main.tf`,
      '\nresource "terraform_data" "broken" { input = var.missing }\n',
    );
    const planned = context({
      workingDirectory: 'terraform',
      ...testTarget(),
      environmentName: 'staging',
    });
    await expect(plan.handler(planned.ctx)).rejects.toThrow();
    const applied = context({
      allowDestroy: false,
      skipReason: 'the plan failed',
      environmentName: 'staging',
    });
    await apply.handler(applied.ctx);
    expect(recorded.map(r => [r.report.kind, r.report.outcome])).toEqual([
      ['plan', 'failed'],
      ['apply', 'skipped'],
    ]);
    expect(recorded[0].report.message).toContain('Reference to undeclared');
  });

  it('records nothing in a dry run, nor without an environment', async () => {
    await plan.handler(
      context(
        {
          workingDirectory: 'terraform',
          ...testTarget(),
          environmentName: 'staging',
        },
        true,
      ).ctx,
    );
    const unnamed = context({ workingDirectory: 'terraform', ...testTarget() });
    await plan.handler(unnamed.ctx);
    expect(recorded).toEqual([]);
    expect(unnamed.lines).toContain(
      "This plan is not recorded in an environment's history: its target is not an environment of the catalog and no environmentName was given",
    );
  });

  it('finishes the step with a warning when recording fails', async () => {
    jest
      .mocked(runRecorder.record)
      .mockRejectedValueOnce(new Error('connect ECONNREFUSED 127.0.0.1:7007'));
    const planned = await runPlan();
    expect(planned.outputs.skipped).toBe(false);
    expect(planned.lines).toContain(
      'Could not record this plan in the history of environment staging: Error: connect ECONNREFUSED 127.0.0.1:7007',
    );
  });
});
