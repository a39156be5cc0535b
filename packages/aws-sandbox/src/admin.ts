import type { IncomingMessage } from 'node:http';
import { ZodError } from 'zod';
import {
  EnvironmentConflictError,
  Sandbox,
  SandboxEnvironmentState,
} from './sandbox';
import { ScenarioError } from './scenario/load';

export interface AdminResponse {
  status: number;
  body: unknown;
}

/** In-process handle on the admin API, for tests of other packages. */
export interface SandboxAdmin {
  state(): ReturnType<Sandbox['state']>;
  setClock(options: { set?: string | number | Date; speed?: number }): void;
  setFaults(faults: unknown[]): void;
  addFault(fault: unknown): { id: string };
  clearFaults(): void;
  setThrottling(options: {
    enabled?: boolean;
    ratePerSecond?: number;
    burst?: number;
  }): void;
  /**
   * Adds an environment in the scenario format to the living world; the same
   * environment again is `created: false`.
   */
  addEnvironment(environment: unknown): {
    environment: SandboxEnvironmentState;
    created: boolean;
  };
  /** Removes an environment added through the admin API. */
  removeEnvironment(name: string): boolean;
  /** Scenario faults, clock, throttling and environments as at start. */
  reset(): void;
}

export function createAdmin(sandbox: Sandbox): SandboxAdmin {
  return {
    state: () => sandbox.state(),
    setClock: ({ set, speed }) => sandbox.clock.set({ time: set, speed }),
    setFaults: faults => {
      sandbox.faults.replace(faults);
    },
    addFault: fault => sandbox.faults.add(fault),
    clearFaults: () => {
      sandbox.faults.replace([]);
    },
    setThrottling: options => {
      sandbox.faults.setThrottling(options);
    },
    addEnvironment: environment => sandbox.addEnvironment(environment),
    removeEnvironment: name => sandbox.removeEnvironment(name),
    reset: () => sandbox.reset(),
  };
}

function problem(status: number, message: string): AdminResponse {
  return { status, body: { error: message } };
}

/**
 * The JSON admin API under /_sandbox/:
 * GET state, PUT/POST/DELETE faults, PUT throttling, POST clock, POST reset,
 * GET/POST/DELETE environments.
 */
export function handleAdmin(
  sandbox: Sandbox,
  request: Pick<IncomingMessage, 'method'>,
  path: string,
  body: string,
): AdminResponse {
  const admin = createAdmin(sandbox);
  let input: any = {};
  try {
    input = body.trim() ? JSON.parse(body) : {};
  } catch {
    return problem(400, 'Request body must be JSON');
  }
  const route = `${request.method} ${path.replace(/\/+$/, '')}`;
  try {
    if (route === 'GET /_sandbox/state' || route === 'GET /_sandbox') {
      return { status: 200, body: admin.state() };
    }
    if (route === 'GET /_sandbox/faults') {
      return { status: 200, body: { faults: sandbox.faults.list() } };
    }
    if (route === 'PUT /_sandbox/faults') {
      const faults = Array.isArray(input) ? input : input.faults;
      if (!Array.isArray(faults))
        return problem(400, 'Expected {"faults": [...]}');
      admin.setFaults(faults);
      return { status: 200, body: { faults: sandbox.faults.list() } };
    }
    if (route === 'POST /_sandbox/faults') {
      return { status: 201, body: admin.addFault(input) };
    }
    if (route === 'DELETE /_sandbox/faults') {
      admin.clearFaults();
      return { status: 200, body: { faults: [] } };
    }
    const faultId = /^DELETE \/_sandbox\/faults\/(.+)$/.exec(route);
    if (faultId) {
      return sandbox.faults.remove(decodeURIComponent(faultId[1]))
        ? { status: 200, body: { faults: sandbox.faults.list() } }
        : problem(404, `No fault ${faultId[1]}`);
    }
    if (route === 'PUT /_sandbox/throttling') {
      admin.setThrottling(input);
      return { status: 200, body: sandbox.faults.throttling };
    }
    if (route === 'POST /_sandbox/clock') {
      if (
        input.speed !== undefined &&
        !(typeof input.speed === 'number' && input.speed >= 0)
      ) {
        return problem(400, 'speed must be a number >= 0');
      }
      admin.setClock({ set: input.set, speed: input.speed });
      return {
        status: 200,
        body: {
          now: new Date(sandbox.now()).toISOString(),
          speed: sandbox.clock.speed,
        },
      };
    }
    if (route === 'GET /_sandbox/environments') {
      return { status: 200, body: { environments: sandbox.environments() } };
    }
    if (route === 'POST /_sandbox/environments') {
      const added = admin.addEnvironment(input);
      return { status: added.created ? 201 : 200, body: added };
    }
    const environmentName = /^DELETE \/_sandbox\/environments\/(.+)$/.exec(
      route,
    );
    if (environmentName) {
      const name = decodeURIComponent(environmentName[1]);
      if (sandbox.world.isScenarioEnvironment(name)) {
        return problem(
          409,
          `${name} is an environment of the scenario; only added environments can be removed`,
        );
      }
      return admin.removeEnvironment(name)
        ? { status: 200, body: { environments: sandbox.environments() } }
        : problem(404, `No environment ${name}`);
    }
    if (route === 'POST /_sandbox/reset') {
      admin.reset();
      return { status: 200, body: admin.state() };
    }
    return problem(404, `No admin route ${route}`);
  } catch (error) {
    if (error instanceof EnvironmentConflictError) {
      return problem(409, error.message);
    }
    if (error instanceof ScenarioError) {
      return {
        status: 400,
        body: { error: error.problems.join('; '), problems: error.problems },
      };
    }
    if (error instanceof ZodError) {
      return problem(
        400,
        error.issues
          .map(i => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; '),
      );
    }
    return problem(400, (error as Error).message);
  }
}
