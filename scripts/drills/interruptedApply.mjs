// The interrupted-apply drill: a backend with the production config on
// PostgreSQL is killed (with every process it started, SIGKILL) while a
// scaffolder task applies Terraform, and started again on the same database.
// The scaffolder recovers the task; its apply step finds the apply it had
// started and never ended, applies nothing, releases the state's lock, and
// fails saying that the apply was interrupted, what Terraform's state holds
// and what to do next, which the environment's run history records.
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startBackend } from '../lib/backend.mjs';
import { waitFor } from '../lib/net.mjs';
import { startPostgres } from '../lib/postgres.mjs';
import { killProcessTree } from './provisioning.mjs';
import { productionBackend } from './restarts.mjs';
import {
  KLER_CATALOG_LOCATION,
  sandboxConfig,
} from './support/environments.mjs';
import { startRedis } from './support/redis.mjs';

const ENVIRONMENT = 'development';
const TEMPLATE = 'drill-interrupted-apply';
const SLOW_RESOURCES = 1000;

/**
 * Terraform with its state outside the task workspace, in a local backend
 * (which the drill allows), so that the drill can read the state and its
 * lock; and enough resources that applying them takes long enough to kill
 * mid-apply: about 10 s of Terraform's own work on two cores (the content
 * policy refuses provisioners, such as a `local-exec` sleep).
 */
const slowTerraform = statePath => `terraform {
  backend "local" {
    path = "${statePath}"
  }
}

resource "terraform_data" "first" {
  input = "before the slow ones"
}

resource "terraform_data" "slow" {
  count      = ${SLOW_RESOURCES}
  input      = "slow \${count.index}"
  depends_on = [terraform_data.first]
}
`;

/** Plan and apply the environment of the catalog, starting over after a restart. */
const template = {
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: { name: TEMPLATE, title: 'Drill: interrupted apply' },
  spec: {
    owner: 'platform-team',
    type: 'environment',
    // As templates/kler-environment.
    EXPERIMENTAL_recovery: { EXPERIMENTAL_strategy: 'startOver' },
    parameters: [],
    steps: [
      { id: 'fetch', action: 'fetch:plain', input: { url: './skeleton' } },
      {
        id: 'plan',
        action: 'kler:terraform:plan',
        input: { environment: `resource:default/${ENVIRONMENT}` },
      },
      {
        id: 'apply',
        action: 'kler:terraform:apply',
        input: {
          planFile: '${{ steps.plan.output.planFile }}',
          planSha256: '${{ steps.plan.output.planSha256 }}',
          allowDestroy: false,
        },
      },
    ],
  },
};

/** The drill's template in a catalog file the backend reads, besides KLER's own. */
function catalogWithTemplate(dir) {
  const file = join(dir, 'drill-interrupted-apply.yaml');
  writeFileSync(file, JSON.stringify(template));
  return {
    kler: {
      environments: {
        trustedLocations: ['file:../../catalog/all.yaml', `file:${file}`],
      },
      // The local backend is refused by the content policy unless allowed.
      terraform: { allowedBackends: ['s3', 'local'] },
    },
    catalog: {
      locations: [
        KLER_CATALOG_LOCATION,
        { type: 'file', target: file, rules: [{ allow: ['Template'] }] },
      ],
    },
  };
}

/**
 * Registers the interrupted-apply drill as a describe block of the drill
 * run, with its row in `report`; `sandboxUrl()` gives the sandbox's URL.
 */
export function describeInterruptedApplyDrills({ report, sandboxUrl }) {
  describe('a backend killed mid-apply', () => {
    let postgres;
    let redis;
    let backend;
    let startOptions;
    let stateDir;

    before(() =>
      report.setup('a backend killed mid-apply', async () => {
        [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
        const dir = mkdtempSync(join(tmpdir(), 'kler-drill-interrupted-'));
        stateDir = join(dir, 'state');
        mkdirSync(stateDir);
        mkdirSync(join(dir, 'skeleton'));
        writeFileSync(
          join(dir, 'skeleton', 'main.tf'),
          slowTerraform(join(stateDir, 'terraform.tfstate')),
        );
        startOptions = productionBackend({
          postgres,
          redis,
          config: {
            ...sandboxConfig({
              endpoints: {
                production: sandboxUrl(),
                development: sandboxUrl(),
              },
            }),
            ...catalogWithTemplate(dir),
            // A recovered task is one whose heartbeat is 5 s old, instead of
            // the product's minute, so that the drill does not wait it out
            // (config layers merge: minutes 0 overrides the production's 1).
            scaffolder: {
              EXPERIMENTAL_recoverTasks: true,
              EXPERIMENTAL_recoverTasksTimeout: { minutes: 0, seconds: 5 },
            },
          },
        });
        backend = await startBackend(startOptions);
      }),
    );

    after(async () => {
      await backend?.stop();
      redis?.stop();
      postgres?.stop();
    });

    async function runTask(token) {
      const res = await fetch(`${backend.baseUrl}/api/scaffolder/v2/tasks`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          templateRef: `template:default/${TEMPLATE}`,
          values: {},
        }),
      });
      const text = await res.text();
      assert.ok(res.ok, `POST task: HTTP ${res.status} ${text.slice(0, 300)}`);
      return JSON.parse(text).id;
    }

    async function events(id, token) {
      const { body } = await backend.get(
        `/api/scaffolder/v2/tasks/${id}/events`,
        token,
      );
      return Array.isArray(body) ? body : [];
    }

    /** The task's log, each message without a stack trace. */
    const logOf = async (id, token) =>
      (await events(id, token))
        .map(e => (e.body?.message ?? '').split(/\n\s+at /)[0])
        .join('\n');

    function waitForEnd(id, token, timeoutMs) {
      return waitFor(
        async () => {
          const { body } = await backend.get(
            `/api/scaffolder/v2/tasks/${id}`,
            token,
          );
          return (
            ['completed', 'failed', 'cancelled'].includes(body?.status) && body
          );
        },
        { timeoutMs, intervalMs: 500, what: `task ${id} to end` },
      );
    }

    /** The local state (undefined before Terraform wrote one), and whether its lock file is there. */
    function readState() {
      const path = join(stateDir, 'terraform.tfstate');
      const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
      return {
        state: text.trim() ? JSON.parse(text) : undefined,
        locked: existsSync(join(stateDir, '.terraform.tfstate.lock.info')),
      };
    }

    const slowIn = state =>
      state?.resources?.find(r => r.name === 'slow')?.instances?.length ?? 0;

    async function runs(token) {
      const res = await backend.get(
        `/api/environments/v1/environments/${ENVIRONMENT}/runs`,
        token,
      );
      assert.equal(
        res.status,
        200,
        `GET runs: HTTP ${res.status} ${JSON.stringify(res.body).slice(
          0,
          300,
        )}`,
      );
      return res.body.items;
    }

    test(
      'the backend is killed while Terraform applies, and started again',
      { timeout: 300_000 },
      () =>
        report.drill(
          {
            drill: 'Backend killed mid-apply',
            injected:
              'SIGKILL of the backend (PostgreSQL, production config) and its Terraform while kler:terraform:apply creates 1001 resources; started again on the same database',
            expected:
              'the recovered task ends failed within 90 s: "Interrupted:", what the state holds, next step re-plan; lock released; the run history has the interrupted apply and the problem says so; a new plan + apply of the environment completes',
          },
          async () => {
            let token = await backend.guestToken();
            await backend.waitForEntity('template', TEMPLATE, token);
            await backend.waitForEntity('resource', ENVIRONMENT, token);
            const id = await runTask(token);
            await waitFor(
              async () => {
                const text = await logOf(id, token);
                const { body } = await backend.get(
                  `/api/scaffolder/v2/tasks/${id}`,
                  token,
                );
                if (['completed', 'failed'].includes(body?.status)) {
                  throw Object.assign(
                    new Error(
                      `the task ${body.status} before the kill: ${text.slice(
                        -600,
                      )}`,
                    ),
                    { fatal: true },
                  );
                }
                // Mid-apply: Terraform has written some of the slow
                // resources to its state, and not all.
                return (
                  /terraform_data\.slow\[\d+\]: Creat/.test(text) &&
                  slowIn(readState().state) >= 20
                );
              },
              {
                timeoutMs: 120_000,
                intervalMs: 100,
                what: 'the apply to have written slow resources to its state',
              },
            );
            // As a container's end would: the backend and every process it
            // started (Terraform runs in process groups of its own).
            killProcessTree(backend.pid);
            const killed = backend;
            await waitFor(async () => killed.exitCode() !== undefined, {
              timeoutMs: 10_000,
              intervalMs: 100,
              what: 'the backend to die',
            });
            // Killed mid-write, the local backend can leave a truncated file.
            const afterKill = (() => {
              try {
                return readState();
              } catch (error) {
                return { unreadable: error.message, locked: true };
              }
            })();

            const restartedAt = Date.now();
            backend = await startBackend(startOptions);
            const upSeconds = (Date.now() - restartedAt) / 1000;
            token = await backend.guestToken();
            const task = await waitForEnd(id, token, 90_000);
            const endedSeconds = (Date.now() - restartedAt) / 1000;
            const log = await events(id, token);
            const tail = log
              .map(e => e.body?.message ?? '')
              .join('\n')
              .slice(-800);
            const recovered = log.find(e => e.type === 'recovered');
            assert.ok(recovered, `the task was not recovered: ${tail}`);
            const recoveredSeconds =
              (Date.parse(recovered.createdAt) - restartedAt) / 1000;
            assert.equal(task.status, 'failed', tail);
            // A failed step logs its error; the completion only says "failed".
            const failure = log
              .filter(
                e => e.body?.status === 'failed' && e.body?.stepId === 'apply',
              )
              .map(e => (e.body.message ?? '').split(/\n\s+at /)[0])
              .pop();
            assert.ok(failure, `the apply step logged no error: ${tail}`);
            assert.match(
              failure,
              /Interrupted: this task's apply of its plan \(1001 to add, 0 to change, 0 to destroy, 0 to replace\) started at \S+ on host \S+ and stopped before it finished/,
            );
            const holds = failure.match(
              /Terraform's state (\(serial \d+\) holds \d+ resources|is empty \(it holds no resource\)): (\d+) of the plan's 1001 to add are in it/,
            );
            assert.ok(holds, `no word of what the state holds: ${failure}`);
            assert.match(
              failure,
              /Next step: run the template again \(\/create\/templates\/default\/drill-interrupted-apply\): it plans against the state as it is now/,
            );
            assert.doesNotMatch(
              log.map(e => e.body?.message ?? '').join('\n'),
              /Saved plan is stale/,
            );
            const lockWords = failure.match(
              /(The state's lock is free|No state lock was left held|The state lock the interrupted apply held \(\S+\) was released)/,
            );
            assert.ok(lockWords, `no word of the state's lock: ${failure}`);
            const afterRecovery = readState();
            assert.equal(afterRecovery.locked, false, 'a lock file is left');
            // What the task says is what the state holds.
            assert.equal(
              Number(holds[2]),
              slowIn(afterRecovery.state) +
                (afterRecovery.state?.resources?.some(r => r.name === 'first')
                  ? 1
                  : 0),
              'the task counts other resources than the state holds',
            );

            // The environment's run history has it, and so do its problems.
            const interrupted = (await runs(token)).find(
              run => run.link === `/create/tasks/${id}` && run.kind === 'apply',
            );
            assert.ok(interrupted, 'the run history has no apply of the task');
            assert.equal(interrupted.outcome, 'failed');
            assert.ok(
              interrupted.message.startsWith('Interrupted: '),
              interrupted.message,
            );
            assert.ok(
              !interrupted.message.endsWith('…'),
              `the recorded message was cut: ${interrupted.message}`,
            );
            const problem = await waitFor(
              async () => {
                const res = await backend.get(
                  `/api/environments/v1/problems?environment=${ENVIRONMENT}&area=provisioning`,
                  token,
                );
                return res.body?.items?.find(
                  p =>
                    p.id === `${ENVIRONMENT}/provisioning/apply-failed` &&
                    /was interrupted/.test(p.title),
                );
              },
              {
                timeoutMs: 30_000,
                intervalMs: 500,
                what: `the problem of ${ENVIRONMENT}'s interrupted apply`,
              },
            );

            // The next step works: a new plan against the state, applied.
            const rerun = await runTask(token);
            const rerunTask = await waitForEnd(rerun, token, 120_000);
            assert.equal(
              rerunTask.status,
              'completed',
              (await logOf(rerun, token)).slice(-800),
            );
            const final = readState();
            assert.equal(final.locked, false, 'a lock is left after the rerun');
            assert.equal(slowIn(final.state), SLOW_RESOURCES);
            const applied = (await runs(token)).find(
              run =>
                run.link === `/create/tasks/${rerun}` && run.kind === 'apply',
            );
            assert.equal(applied?.outcome, 'succeeded');
            await waitFor(
              async () => {
                const res = await backend.get(
                  `/api/environments/v1/problems?environment=${ENVIRONMENT}&area=provisioning`,
                  token,
                );
                return (
                  Array.isArray(res.body?.items) &&
                  !res.body.items.some(p => p.id === problem.id)
                );
              },
              {
                timeoutMs: 30_000,
                intervalMs: 500,
                what: 'the problem to clear after the successful apply',
              },
            );
            assert.deepEqual(backend.errorLines(), []);

            const atKill = afterKill.unreadable
              ? `state unreadable at the kill (${afterKill.unreadable})`
              : `state at the kill ${
                  afterKill.state
                    ? `serial ${afterKill.state.serial}, ${slowIn(
                        afterKill.state,
                      )} of ${SLOW_RESOURCES} slow`
                    : 'not written yet'
                }, lock file ${afterKill.locked ? 'left' : 'absent'}`;
            return (
              `${atKill}; backend up ${upSeconds.toFixed(
                1,
              )} s after the restart, task recovered after ${recoveredSeconds.toFixed(
                1,
              )} s and failed after ${endedSeconds.toFixed(1)} s: "${failure
                .match(/Terraform's state[^.]*/)[0]
                .slice(0, 160)}"; "${lockWords[1]}", no lock file; ` +
              `runs: apply failed "Interrupted: …" (${
                interrupted.message.length
              } chars); problem "${
                problem.title
              }"; new plan + apply completed (${slowIn(
                final.state,
              )} slow in the state), problem cleared; no error logged`
            );
          },
        ),
    );
  });
}
