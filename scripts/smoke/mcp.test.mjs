// The portal's MCP server on the real backend, reading the AWS sandbox, driven
// by the official MCP TypeScript SDK client: the tools listed, each
// environments tool called and answering what the HTTP API answers, with a
// user's token and with a static external access token; 401 without a token;
// the environments tools refused when the policy withholds environments.read.
// The backend must log no error.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startBackend } from '../lib/backend.mjs';
import { waitFor } from '../lib/net.mjs';
import { startSandbox } from '../lib/sandbox.mjs';
import { connectMcp } from '../mcp-client.mjs';

const MCP_TOKEN = randomBytes(24).toString('hex');

const ENVIRONMENTS_TOOLS = [
  'environments.get-component-environments',
  'environments.get-environment-summary',
  'environments.list-environment-problems',
  'environments.list-environments',
];
// The scaffolder's read-only actions, without dry-run-template (app-config.yaml).
const SCAFFOLDER_TOOLS = [
  'scaffolder.get-scaffolder-task-logs',
  'scaffolder.list-scaffolder-actions',
  'scaffolder.list-scaffolder-tasks',
];

/** The backend reading KLER's two environments from the sandbox. */
function sandboxConfig(sandbox, extra = {}) {
  return {
    ...extra,
    aws: {
      accounts: ['222222222222', '111111111111'].map(accountId => ({
        accountId,
        accessKeyId: `SANDBOX${accountId}`,
        secretAccessKey: 'sandbox-placeholder',
      })),
    },
    environments: {
      defaultEndpoint: sandbox.url,
      refresh: { frequency: { seconds: 5 } },
    },
    backend: {
      auth: {
        externalAccess: [
          {
            type: 'static',
            options: { token: MCP_TOKEN, subject: 'mcp-client' },
            // A static token reaches the plugins whose actions it calls on
            // its behalf; plugin-only restrictions, since restrictions to
            // permissions cannot be delegated.
            accessRestrictions: [
              { plugin: 'mcp-actions' },
              { plugin: 'environments' },
              { plugin: 'scaffolder' },
            ],
          },
        ],
      },
    },
  };
}

/** Waits until both environments are read, with their five services each. */
async function waitForEnvironments(backend, token) {
  await waitFor(
    async () => {
      const res = await backend.get('/api/environments/v1/environments', token);
      return (
        res.status === 200 &&
        res.body.items.length === 2 &&
        res.body.items.every(
          e => e.refreshedAt && !e.pending && e.counts.services === 5,
        )
      );
    },
    { timeoutMs: 90_000, what: 'both environments read from the sandbox' },
  );
}

function mcpUrl(backend) {
  return `${backend.baseUrl}/api/mcp-actions/v1`;
}

async function call(client, name, args = {}) {
  const result = await client.callTool({ name, arguments: args });
  return result;
}

/** The summary as the HTTP API serves it: the actions add only its age. */
function withoutAge({ snapshotAgeSeconds, ...summary }) {
  assert.equal(typeof snapshotAgeSeconds, 'number');
  return summary;
}

describe('MCP server of the real backend, over the AWS sandbox', () => {
  let sandbox;
  let backend;
  let guest;
  let client;

  before(async () => {
    sandbox = await startSandbox();
    backend = await startBackend({ config: sandboxConfig(sandbox) });
    guest = await backend.guestToken();
    await waitForEnvironments(backend, guest);
    client = await connectMcp(mcpUrl(backend), guest);
  });
  after(async () => {
    await client?.close();
    await backend?.stop();
    sandbox?.stop();
  });

  test('answers 401 to a client without a token', async () => {
    await assert.rejects(connectMcp(mcpUrl(backend)), error => {
      assert.equal(error.code, 401);
      return true;
    });
  });

  test('lists the environments tools and the read-only scaffolder tools, nothing that writes', async () => {
    assert.equal(client.getServerVersion().name, 'kler-portal');
    const { tools } = await client.listTools();
    assert.deepEqual(
      tools.map(tool => tool.name).sort(),
      [...ENVIRONMENTS_TOOLS, ...SCAFFOLDER_TOOLS].sort(),
    );
    for (const tool of tools) {
      assert.equal(tool.annotations.readOnlyHint, true, tool.name);
      assert.equal(tool.annotations.destructiveHint, false, tool.name);
      assert.ok(tool.description.length > 100, tool.name);
    }
    const problems = tools.find(
      t => t.name === 'environments.list-environment-problems',
    );
    assert.deepEqual(Object.keys(problems.inputSchema.properties).sort(), [
      'area',
      'component',
      'environment',
      'minSeverity',
    ]);
    assert.deepEqual(problems.inputSchema.properties.minSeverity.enum, [
      'critical',
      'high',
      'medium',
      'low',
    ]);
  });

  test('list-environments answers the environments of GET /v1/environments', async () => {
    const result = await call(client, 'environments.list-environments');
    assert.equal(result.isError, undefined, JSON.stringify(result.content));
    const http = await backend.get('/api/environments/v1/environments', guest);
    const environments = result.structuredContent.environments;
    assert.deepEqual(
      environments.map(e => e.name),
      ['development', 'production'],
    );
    for (const environment of environments) {
      assert.equal(environment.source, 'sandbox');
      assert.equal(environment.stale, false);
    }
    // The same fields and values, up to a refresh in between.
    assert.deepEqual(
      Object.keys(withoutAge(environments[1])).sort(),
      Object.keys(http.body.items[1]).sort(),
    );
    assert.equal(environments[1].status, http.body.items[1].status);
  });

  test("list-environment-problems answers production's high-severity problems as GET /v1/problems does", async () => {
    const args = { environment: ['production'], minSeverity: 'high' };
    const result = await call(
      client,
      'environments.list-environment-problems',
      args,
    );
    assert.equal(result.isError, undefined, JSON.stringify(result.content));
    const { problems } = result.structuredContent;
    const http = await backend.get(
      '/api/environments/v1/problems?environment=production&minSeverity=high',
      guest,
    );
    assert.deepEqual(
      problems.map(p => p.id),
      http.body.items.map(p => p.id),
    );
    assert.ok(problems.length > 0, 'the sandbox has high problems');
    for (const problem of problems) {
      assert.equal(problem.environment, 'production');
      assert.ok(['critical', 'high'].includes(problem.severity));
      assert.ok(problem.proposedFix);
    }
    // The text content a model reads is the same JSON.
    assert.deepEqual(
      JSON.parse(result.content[0].text),
      result.structuredContent,
    );

    const storefront = await call(
      client,
      'environments.list-environment-problems',
      { component: 'storefront' },
    );
    for (const problem of storefront.structuredContent.problems) {
      assert.equal(problem.serviceName, 'storefront');
    }

    const unknown = await call(
      client,
      'environments.list-environment-problems',
      { environment: ['staging'] },
    );
    assert.equal(unknown.isError, true);
    assert.match(
      unknown.content[0].text,
      /InputError: .*'environment' names unknown environments: staging/,
    );
  });

  test("get-component-environments shows storefront's service in both environments", async () => {
    const result = await call(
      client,
      'environments.get-component-environments',
      { component: 'component:default/storefront' },
    );
    assert.equal(result.isError, undefined, JSON.stringify(result.content));
    const { entityRef, serviceNames, environments } = result.structuredContent;
    assert.equal(entityRef, 'component:default/storefront');
    const http = await backend.get(
      '/api/environments/v1/entity/default/component/storefront',
      guest,
    );
    assert.deepEqual(serviceNames, http.body.serviceNames);
    assert.deepEqual(environments.map(e => e.environment.name).sort(), [
      'development',
      'production',
    ]);
    for (const { services } of environments) {
      assert.deepEqual(
        services.map(s => s.serviceName),
        serviceNames,
      );
      assert.equal(typeof services[0].runningCount, 'number');
      assert.ok(services[0].areas.health);
    }
  });

  test('get-environment-summary answers GET /v1/environments/:name/services', async () => {
    const result = await call(client, 'environments.get-environment-summary', {
      environment: 'production',
    });
    assert.equal(result.isError, undefined, JSON.stringify(result.content));
    const http = await backend.get(
      '/api/environments/v1/environments/production/services',
      guest,
    );
    const { environment, services } = result.structuredContent;
    assert.equal(environment.name, 'production');
    assert.deepEqual(
      services.map(s => s.serviceName),
      http.body.items.map(s => s.serviceName),
    );
    assert.equal(services.length, 5);

    const missing = await call(client, 'environments.get-environment-summary', {
      environment: 'staging',
    });
    assert.equal(missing.isError, true);
    assert.match(missing.content[0].text, /NotFoundError: No environment/);
  });

  test('a static external access token lists and calls the tools too', async () => {
    const service = await connectMcp(mcpUrl(backend), MCP_TOKEN);
    try {
      const { tools } = await service.listTools();
      assert.deepEqual(
        tools.map(tool => tool.name).sort(),
        [...ENVIRONMENTS_TOOLS, ...SCAFFOLDER_TOOLS].sort(),
      );
      const result = await call(service, 'environments.list-environments');
      assert.equal(result.isError, undefined, JSON.stringify(result.content));
      assert.equal(result.structuredContent.environments.length, 2);
    } finally {
      await service.close();
    }
  });

  test('logs no error', () => {
    assert.deepEqual(backend.errorLines(), []);
  });
});

describe('MCP server with environments.read withheld', () => {
  let sandbox;
  let backend;
  let client;

  before(async () => {
    sandbox = await startSandbox();
    backend = await startBackend({
      config: sandboxConfig(sandbox, {
        kler: { permissions: { denied: ['environments.read'] } },
      }),
    });
    client = await connectMcp(mcpUrl(backend), await backend.guestToken());
  });
  after(async () => {
    await client?.close();
    await backend?.stop();
    sandbox?.stop();
  });

  test('refuses every environments tool with NotAllowedError and no data', async () => {
    const inputs = {
      'environments.list-environments': {},
      'environments.list-environment-problems': {
        environment: ['production'],
        minSeverity: 'high',
      },
      'environments.get-component-environments': { component: 'storefront' },
      'environments.get-environment-summary': { environment: 'production' },
    };
    for (const [name, args] of Object.entries(inputs)) {
      const result = await call(client, name, args);
      assert.equal(result.isError, true, name);
      assert.equal(result.structuredContent, undefined, name);
      assert.deepEqual(
        result.content,
        [
          {
            type: 'text',
            text: 'NotAllowedError: Not allowed: environments.read',
          },
        ],
        name,
      );
    }
  });

  test('still serves the scaffolder tools', async () => {
    const result = await call(client, 'scaffolder.list-scaffolder-actions');
    assert.equal(result.isError, undefined, JSON.stringify(result.content));
  });

  test('logs no error', () => {
    assert.deepEqual(backend.errorLines(), []);
  });
});
