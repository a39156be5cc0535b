import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createAdmin, handleAdmin, SandboxAdmin } from './admin';
import { AwsError } from './errors';
import { canonicalServiceName } from './faults';
import { credentialScope, parseRequest } from './protocols/dispatch';
import {
  errorResponse,
  successResponse,
  unknownOperation,
  WireResponse,
} from './protocols/respond';
import type { ServiceDefinition } from './protocols/types';
import { ClockOptions, Sandbox } from './sandbox';
import {
  loadScenarioFile,
  ScenarioError,
  scenarioFromInput,
} from './scenario/load';
import type { Scenario, ScenarioInput } from './scenario/schema';
import { SERVICES } from './services';

export interface StartSandboxOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** A parsed scenario, a scenario object, or a path to a YAML file. */
  scenario: Scenario | ScenarioInput | string;
  clock?: ClockOptions;
  /**
   * A JSON file that keeps the environments added through the admin API: read
   * at start (when it exists), rewritten whenever they change. Without it they
   * live in memory only.
   */
  environmentsFile?: string;
}

export interface RunningSandbox {
  url: string;
  port: number;
  admin: SandboxAdmin;
  sandbox: Sandbox;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', chunk => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, wire: WireResponse) {
  // encode once: the length and the write use the same bytes
  const body = Buffer.from(wire.body, 'utf8');
  response.writeHead(wire.status, {
    ...wire.headers,
    'content-length': body.length,
  });
  response.end(body);
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

function faultError(
  service: ServiceDefinition,
  kind: 'throttling' | 'accessDenied' | 500 | 503,
) {
  if (kind === 'throttling') {
    return new AwsError(
      service.errors.throttling,
      'Rate exceeded',
      service.errors.throttlingStatus,
    );
  }
  if (kind === 'accessDenied') {
    return new AwsError(
      service.errors.accessDenied,
      'User is not authorized to perform this operation (injected by the sandbox)',
      service.errors.accessDeniedStatus,
    );
  }
  if (kind === 503) {
    return new AwsError(
      'ServiceUnavailable',
      'Service is unavailable (injected by the sandbox)',
      503,
    );
  }
  return new AwsError(
    'InternalFailure',
    'Internal failure (injected by the sandbox)',
    500,
  );
}

/** Answers one AWS request, or hands /_sandbox/ requests to the admin API. */
export async function handleRequest(
  sandbox: Sandbox,
  request: IncomingMessage,
  response: ServerResponse,
  held: Set<ServerResponse>,
): Promise<void> {
  const body = await readBody(request);
  const url = new URL(request.url ?? '/', 'http://sandbox');
  if (url.pathname.startsWith('/_sandbox')) {
    const result = handleAdmin(sandbox, request, url.pathname, body);
    send(response, {
      status: result.status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(result.body, null, 2),
    });
    return;
  }

  let service: ServiceDefinition | undefined;
  try {
    const parsed = parseRequest(
      { method: request.method ?? 'GET', url, headers: request.headers, body },
      SERVICES,
    );
    service = parsed?.service;
    if (!parsed || !parsed.operation) {
      const name =
        (request.headers['x-amz-target'] as string | undefined) ??
        (parsed?.input as any)?.Action ??
        `${request.method} ${url.pathname}`;
      throw unknownOperation(service, name);
    }
    const scope = credentialScope(request.headers.authorization);
    const account = sandbox.accountFor(scope?.accessKeyId);
    const region =
      scope?.region ?? sandbox.scenario.environments[0]?.region ?? 'us-east-1';
    const decision = sandbox.faults.evaluate({
      account,
      region,
      service: canonicalServiceName(parsed.service.id),
      operation: parsed.operation,
      environments: sandbox.world.in(account, region).map(e => e.spec.name),
    });
    if (decision.timeoutMs !== undefined) {
      held.add(response);
      if (decision.timeoutMs !== null) {
        await sleep(decision.timeoutMs);
        held.delete(response);
        response.destroy();
      }
      return;
    }
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (decision.error) throw faultError(parsed.service, decision.error);

    const output = parsed.service.operations[parsed.operation]({
      input: parsed.input,
      account,
      region,
      accessKeyId: scope?.accessKeyId ?? '',
      now: sandbox.now(),
      world: sandbox.world,
      sessions: sandbox.sessions,
    });
    send(response, successResponse(parsed.service, parsed.operation, output));
  } catch (error) {
    const awsError =
      error instanceof AwsError
        ? error
        : new AwsError(
            'InternalFailure',
            (error as Error).message ?? 'Internal failure',
            500,
          );
    send(response, errorResponse(service, awsError));
  }
}

function resolveScenario(scenario: StartSandboxOptions['scenario']): Scenario {
  return typeof scenario === 'string'
    ? loadScenarioFile(scenario)
    : scenarioFromInput(scenario);
}

/**
 * Adds the environments `file` holds (a JSON array in the scenario format),
 * then rewrites it whenever the added environments change. A bad file fails
 * the start naming it and the bad keys.
 */
function keepEnvironmentsIn(sandbox: Sandbox, file: string) {
  if (existsSync(file)) {
    let environments: unknown;
    try {
      environments = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ScenarioError([(error as Error).message], file);
    }
    if (!Array.isArray(environments)) {
      throw new ScenarioError(['(root): must be an array'], file);
    }
    environments.forEach((environment, i) => {
      try {
        sandbox.addEnvironment(environment);
      } catch (error) {
        const problems =
          error instanceof ScenarioError
            ? error.problems
            : [(error as Error).message];
        throw new ScenarioError(
          problems.map(problem => `[${i}] ${problem}`),
          file,
        );
      }
    });
  }
  sandbox.onEnvironmentsChanged = added => {
    mkdirSync(dirname(file), { recursive: true });
    // Written aside and renamed, so a crash never leaves half a file.
    writeFileSync(`${file}.tmp`, `${JSON.stringify(added, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
  };
}

/** Starts the sandbox's HTTP endpoint; AWS SDK clients use its url as `endpoint`. */
export async function startSandbox(
  options: StartSandboxOptions,
): Promise<RunningSandbox> {
  const sandbox = new Sandbox(resolveScenario(options.scenario), options.clock);
  if (options.environmentsFile) {
    keepEnvironmentsIn(sandbox, options.environmentsFile);
  }
  const held = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    handleRequest(sandbox, request, response, held).catch(error => {
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'text/plain' });
      }
      response.end(String(error));
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    sandbox,
    admin: createAdmin(sandbox),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const response of held) response.destroy();
        held.clear();
        server.close(error => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
