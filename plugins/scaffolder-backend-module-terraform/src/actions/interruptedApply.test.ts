import {
  isMotoInstalled,
  isMotoRequired,
  MotoServer,
  startMoto,
} from '@kler/aws-sandbox';
import {
  EnvironmentRunReport,
  isInterruptedApply,
} from '@kler/plugin-environments-common';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  createTestContext,
  terraformTestOptions,
  testTarget,
} from '../__testUtils__/fixtures';
import {
  readStateLocation,
  terraformProcessesUsing,
} from '../terraform/stateLocation';
import { interruptRunningTerraform } from '../terraform/runTerraform';
import { createTerraformApplyAction } from './apply';
import { createTerraformPlanAction } from './plan';

jest.setTimeout(240_000);

const MOTO_PORTS = [5301, 5302, 5303, 5304, 5305, 5306, 5307, 5308, 5309];
const STATE_BUCKET = 'kler-interrupted-state';

/** Many resources of Terraform's own, so that applying them takes seconds. */
const slowTerraform = (count: number, backend = '') => `${backend}
resource "terraform_data" "first" {
  input = "before the slow ones"
}

resource "terraform_data" "slow" {
  count      = ${count}
  input      = "slow \${count.index}"
  depends_on = [terraform_data.first]
}
`;

/** What a backend that has died does with the task's checkpoints: nothing. */
class BackendDied extends Error {}

describe('an apply whose backend died mid-apply, run again by the recovered task', () => {
  let workspacePath: string;
  const reports: EnvironmentRunReport[] = [];
  const runRecorder = {
    record: async (_name: string, report: EnvironmentRunReport) => {
      reports.push(report);
    },
  };

  beforeEach(async () => {
    workspacePath = await fs.mkdtemp(
      path.join(os.tmpdir(), 'kler-interrupted-apply-'),
    );
    reports.length = 0;
  });
  afterEach(() => fs.rm(workspacePath, { recursive: true, force: true }));

  /** The actions of a backend; one that is about to die records no run. */
  function actions({ records = true } = {}) {
    const options = {
      ...terraformTestOptions(),
      ...(records && { runRecorder }),
      interruptedApply: { lockPollIntervalMs: 200 },
    };
    return {
      plan: createTerraformPlanAction(options),
      apply: createTerraformApplyAction(options),
    };
  }

  async function plan() {
    const { ctx, outputs } = createTestContext({
      workspacePath,
      input: {
        workingDirectory: 'slow',
        ...testTarget(),
        environmentName: 'staging',
      },
    });
    await actions().plan.handler(ctx);
    return outputs;
  }

  function applyContext(
    planned: Record<string, any>,
    checkpoints: Map<string, unknown>,
  ) {
    const context = createTestContext({
      workspacePath,
      checkpoints,
      input: {
        planFile: planned.planFile,
        planSha256: planned.planSha256,
        allowDestroy: false,
        environmentName: 'staging',
      },
    });
    const ctx = {
      ...context.ctx,
      templateInfo: { entityRef: 'template:default/kler-environment' },
    };
    return { ...context, ctx };
  }

  /**
   * Starts the apply of `planned` and returns once Terraform is creating
   * resources, with its processes (found in /proc by the plan's state). The
   * run can no longer record anything in the task, as when its backend died.
   */
  async function applyUntilCreating(
    planned: Record<string, any>,
    checkpoints: Map<string, unknown>,
  ) {
    const first = applyContext(planned, checkpoints);
    const recordOnlyTheStart = first.ctx.checkpoint;
    first.ctx.checkpoint = (async (options: { key: string }) => {
      if (options.key.startsWith('kler.terraform.apply.ended.')) {
        throw new BackendDied('the backend died');
      }
      return recordOnlyTheStart(options as any);
    }) as typeof first.ctx.checkpoint;
    const running = actions({ records: false })
      .apply.handler(first.ctx)
      .catch(error => error);
    const deadline = Date.now() + 120_000;
    while (
      !first.lines.some(line => /slow\[\d+\]: Creation complete/.test(line))
    ) {
      if (Date.now() > deadline) throw new Error('the apply never started');
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    const dataDirectory = path.join(
      workspacePath,
      path.dirname(planned.planFile),
      'terraform-data',
    );
    const state = await readStateLocation(
      dataDirectory,
      path.join(workspacePath, 'slow'),
    );
    const pids = (await terraformProcessesUsing(state!, 'terraform')) ?? [];
    expect(pids.length).toBeGreaterThan(0);
    return { running, pids };
  }

  /** As a container's end would: Terraform and every process it started. */
  function killGroups(pids: number[]) {
    for (const pid of pids) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }

  /** The run of the apply step in the recovered task. */
  function recover(
    planned: Record<string, any>,
    checkpoints: Map<string, unknown>,
  ) {
    const again = applyContext(planned, checkpoints);
    const failed: Promise<Error> = actions()
      .apply.handler(again.ctx)
      .then(
        () => {
          throw new Error('the recovered apply did not fail');
        },
        e => e,
      );
    return { failed, lines: again.lines };
  }

  it('with the local backend: says what the state holds, clears the lock file the killed Terraform left, and applies nothing', async () => {
    await fs.mkdir(path.join(workspacePath, 'slow'));
    await fs.writeFile(
      path.join(workspacePath, 'slow', 'main.tf'),
      slowTerraform(1000),
    );
    const planned = await plan();
    const checkpoints = new Map<string, unknown>();
    const { running, pids } = await applyUntilCreating(planned, checkpoints);
    killGroups(pids);
    await expect(running).resolves.toBeInstanceOf(BackendDied);
    const lockFile = path.join(
      workspacePath,
      'slow',
      '.terraform.tfstate.lock.info',
    );
    await expect(fs.stat(lockFile)).resolves.toBeTruthy();

    const recovered = recover(planned, checkpoints);
    const error = await recovered.failed;
    expect(error.message).toMatch(
      /^Interrupted: this task's apply of its plan \(1001 to add, 0 to change, 0 to destroy, 0 to replace\) started at \S+ on host \S+ and stopped before it finished/,
    );
    // A kill in the middle of the local backend's write can empty the state.
    expect(error.message).toMatch(
      /Terraform's state (\(serial \d+\) holds \d+ resources|is empty \(it holds no resource\)): \d+ of the plan's 1001 to add are in it \(terraform_data: \d+ of 1001\)/,
    );
    expect(error.message).toContain(
      "The state's lock is free: the lock file the interrupted apply left (lock ",
    );
    expect(error.message).toContain(
      'Next step: run the template again (/create/templates/default/kler-environment): it plans against the state as it is now',
    );
    expect(error.message).toContain(
      'Before applying, look in account 111111111111 for resources created after Terraform last wrote its state',
    );
    await expect(fs.stat(lockFile)).rejects.toThrow(/ENOENT/);
    expect(recovered.lines.join('\n')).not.toContain('$ terraform apply');

    // The run history has the whole message, as the task's error says it.
    const applies = reports.filter(report => report.kind === 'apply');
    expect(applies).toEqual([
      expect.objectContaining({
        kind: 'apply',
        outcome: 'failed',
        link: '/create/tasks/mock-task-id',
        message: error.message,
      }),
    ]);
    expect(isInterruptedApply(applies[0])).toBe(true);

    // The next step works: a new plan against the state as it is, applied.
    const replanned = await plan();
    const next = applyContext(replanned, new Map());
    await actions().apply.handler(next.ctx);
    expect(next.outputs.applied).toBe(true);
  });

  it('waits while the interrupted Terraform still runs on this host, and goes on once it has released the lock', async () => {
    await fs.mkdir(path.join(workspacePath, 'slow'));
    await fs.writeFile(
      path.join(workspacePath, 'slow', 'main.tf'),
      slowTerraform(1000),
    );
    const planned = await plan();
    const checkpoints = new Map<string, unknown>();
    const { running, pids } = await applyUntilCreating(planned, checkpoints);
    // Its backend is gone, its Terraform not: frozen here, holding the lock.
    for (const pid of pids) process.kill(pid, 'SIGSTOP');

    const recovering = recover(planned, checkpoints);
    const deadline = Date.now() + 60_000;
    while (!recovering.lines.some(line => line.startsWith('Waiting until'))) {
      if (Date.now() > deadline) throw new Error('the recovery never waited');
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    for (const pid of pids) process.kill(pid, 'SIGCONT');
    await expect(running).resolves.toBeInstanceOf(BackendDied);
    const error = await recovering.failed;
    const lines = recovering.lines;
    expect(lines.join('\n')).toMatch(
      /Waiting until \S+ at the latest before releasing the state lock: the lock \S+ \(OperationTypeApply by \S+, taken at \S+\) is held by a Terraform still running on this host/,
    );
    expect(error.message).toMatch(
      /The state lock \S+ was released by its holder while this run waited/,
    );
    expect(error.message).toContain(
      "Terraform's state (serial 1002) holds 1001 resources: 1001 of the plan's 1001 to add are in it",
    );
    expect(error.message).not.toContain('Before applying, look in account');
  });

  it('a backend shutting down (SIGTERM) interrupts the apply, which says what the state holds', async () => {
    await fs.mkdir(path.join(workspacePath, 'slow'));
    await fs.writeFile(
      path.join(workspacePath, 'slow', 'main.tf'),
      slowTerraform(1000),
    );
    const planned = await plan();
    const checkpoints = new Map<string, unknown>();
    const context = applyContext(planned, checkpoints);
    const applying = actions()
      .apply.handler(context.ctx)
      .then(
        () => {
          throw new Error('the interrupted apply did not fail');
        },
        (e: Error) => e,
      );
    const deadline = Date.now() + 120_000;
    while (
      !context.lines.some(line => /slow\[\d+\]: Creation complete/.test(line))
    ) {
      if (Date.now() > deadline) throw new Error('the apply never started');
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    await interruptRunningTerraform();
    const error = await applying;
    expect(error.message).toMatch(
      /^Interrupted: this task's apply of its plan \(1001 to add, 0 to change, 0 to destroy, 0 to replace\) started at \S+ on host \S+ and stopped before it finished \(its backend shut down, interrupting Terraform so that it saved its state\)/,
    );
    expect(error.message).toMatch(
      /Terraform's state \(serial \d+\) holds \d+ resources: \d+ of the plan's 1001 to add are in it/,
    );
    expect(error.message).toContain('No state lock was left held.');
    expect(error.message).toContain('Next step: run the template again');
    const applies = reports.filter(report => report.kind === 'apply');
    expect(applies).toEqual([
      expect.objectContaining({ outcome: 'failed', message: error.message }),
    ]);
    // No end is recorded: a recovered task would find it interrupted.
    expect(
      [...checkpoints.keys()].filter(key =>
        key.startsWith('kler.terraform.apply.started.'),
      ),
    ).toHaveLength(1);
    expect(
      [...checkpoints.keys()].filter(key =>
        key.startsWith('kler.terraform.apply.ended.'),
      ),
    ).toEqual([]);
  });

  describe('with an S3 backend and its lock file (moto)', () => {
    let moto: MotoServer | undefined;
    beforeAll(async () => {
      if (!isMotoInstalled()) {
        if (isMotoRequired()) {
          throw new Error(
            'moto_server is not on PATH, and KLER_REQUIRE_MOTO=1 requires it',
          );
        }
        // eslint-disable-next-line no-console
        console.warn(
          '!!! moto_server is not on PATH: the S3 lock test of an interrupted apply did NOT run. Set KLER_REQUIRE_MOTO=1 to make this an error. !!!',
        );
        return;
      }
      moto = await startMoto({ ports: MOTO_PORTS });
    });
    afterAll(() => moto?.stop());

    const s3Backend = (endpoint: string) => `terraform {
  backend "s3" {
    bucket                      = "${STATE_BUCKET}"
    key                         = "environments/staging/terraform.tfstate"
    region                      = "eu-west-1"
    use_lockfile                = true
    use_path_style              = true
    skip_credentials_validation = true
    skip_requesting_account_id  = true
    skip_metadata_api_check     = true
    skip_region_validation      = true
    endpoints = {
      s3 = "${endpoint}"
    }
  }
}
`;

    it('releases the .tflock the killed apply left, after checking it is that apply’s and nothing on this host runs it', async () => {
      if (!moto) return;
      await fetch(`${moto.endpoint}/${STATE_BUCKET}`, { method: 'PUT' });
      await fs.mkdir(path.join(workspacePath, 'slow'));
      await fs.writeFile(
        path.join(workspacePath, 'slow', 'main.tf'),
        slowTerraform(1000, s3Backend(moto.endpoint)),
      );
      const planned = await plan();
      const checkpoints = new Map<string, unknown>();
      const { running, pids } = await applyUntilCreating(planned, checkpoints);
      killGroups(pids);
      await expect(running).resolves.toBeInstanceOf(BackendDied);
      const lockLeft = async () => {
        const listed = await fetch(
          `${
            moto!.endpoint
          }/${STATE_BUCKET}?list-type=2&prefix=environments/staging/`,
        );
        return (await listed.text()).includes('terraform.tfstate.tflock</Key>');
      };
      expect(await lockLeft()).toBe(true);

      const recovered = recover(planned, checkpoints);
      const error = await recovered.failed;
      expect(error.message).toMatch(
        /The state lock the interrupted apply held \(\S+\) was released: no Terraform on this host used the state any more\./,
      );
      expect(recovered.lines.join('\n')).toMatch(
        /Releasing the state lock: the lock \S+ \(OperationTypeApply by \S+, taken at \S+\) is the interrupted apply's, and no Terraform runs on this host with the environment's state/,
      );
      // Terraform writes a remote state every 20 s of an apply: this one
      // was killed before its first write.
      expect(error.message).toContain(
        "Terraform's state is empty (it holds no resource): 0 of the plan's 1001 to add are in it",
      );
      expect(await lockLeft()).toBe(false);

      const replanned = await plan();
      const next = applyContext(replanned, new Map());
      await actions().apply.handler(next.ctx);
      expect(next.outputs.applied).toBe(true);
    });
  });
});
