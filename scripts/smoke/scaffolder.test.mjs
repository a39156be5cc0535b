// Runs the kler-environment template as a scaffolder task on the real backend,
// through the dry-run API, and checks what each step did. Terraform is the real
// CLI; a dry run downloads nothing and plans nothing, so validation and plan
// must say they were skipped, nothing may be published or registered, and the
// environment must not be reported as provisioned. The guest is a platform
// engineer and the environments repository the local one (app-config.yaml):
// the portal applies, and the pipeline's steps are skipped.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot, startBackend } from '../lib/backend.mjs';

const templateDir = join(repoRoot, 'templates/kler-environment');

function directoryContents(dir) {
  const files = [];
  const walk = current => {
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        files.push({
          path: relative(dir, path),
          base64Content: readFileSync(path).toString('base64'),
        });
      }
    }
  };
  walk(dir);
  return files;
}

const values = {
  name: 'staging',
  title: 'Staging',
  owner: 'group:default/platform-team',
  awsAccountId: '111111111111',
  awsRegion: 'eu-west-1',
  instanceType: 'm6i.large',
  capacityMin: 2,
  capacityMax: 4,
  domainName: 'staging.shop.kler.example',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  alarmEmails: ['oncall@kler.example'],
  services: [
    {
      name: 'shop-api',
      imageTag: '1.4.2',
      cpu: 512,
      memory: 1024,
      desiredMin: 2,
      desiredMax: 6,
      containerPort: 8080,
      healthCheckPath: '/health',
      secrets: ['APP_SECRET'],
    },
  ],
  efs: true,
  database: false,
  backupSchedule: 'daily',
  backupRetentionDays: 35,
};

describe('kler-environment template on the real backend (dry run)', () => {
  let backend;
  let token;
  before(async () => {
    backend = await startBackend();
    token = await backend.guestToken();
  });
  after(() => backend?.stop());

  test('renders, checks and plans, and says what it skipped', async () => {
    const template = await backend.waitForEntity(
      'template',
      'kler-environment',
      token,
    );
    // A token issued once the catalog knows the guest's groups (platform-team
    // may run the kler:terraform:* steps).
    await backend.waitForEntity('user', 'guest', token);
    token = await backend.guestToken();

    const res = await fetch(`${backend.baseUrl}/api/scaffolder/v2/dry-run`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        template,
        values,
        secrets: {},
        directoryContents: directoryContents(templateDir),
      }),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text.slice(0, 2000));
    const result = JSON.parse(text);

    // The workspace mirrors the environments repository.
    const environmentDir = `repository/environments/${values.name}`;
    const files = result.directoryContents.map(f => f.path);
    assert.ok(files.includes(`${environmentDir}/main.tf`), files.join(', '));
    assert.ok(files.includes(`${environmentDir}/terraform.tfvars.json`));
    assert.ok(files.includes(`${environmentDir}/pipeline.json`));
    assert.ok(files.some(f => f.startsWith(`${environmentDir}/modules/`)));
    // The local repository has no pipeline: none of its files is copied.
    assert.deepEqual(
      files.filter(f => !f.startsWith(`${environmentDir}/`)),
      [],
    );
    const readJson = path =>
      JSON.parse(
        Buffer.from(
          result.directoryContents.find(f => f.path === path).base64Content,
          'base64',
        ).toString(),
      );
    const tfvars = readJson(`${environmentDir}/terraform.tfvars.json`);
    // The tier comes from kler.terraform.accounts, not from an answer.
    assert.equal(tfvars.tier, 'development');
    assert.equal(tfvars.owner, 'group:default/platform-team');
    assert.equal(
      readJson(`${environmentDir}/pipeline.json`).tier,
      'development',
    );

    const status = {};
    for (const { body } of result.log) {
      if (body.stepId && body.status) status[body.stepId] = body.status;
    }
    for (const step of [
      'target',
      'terraform',
      'variables',
      'services',
      'render',
      'pipelineConfig',
      'check',
      'plan',
      'apply',
      'sandbox',
      'outputs',
    ]) {
      assert.equal(status[step], 'completed', `step ${step}: ${status[step]}`);
    }
    // Only an applied environment is published, and registered; nothing goes
    // to GitHub or GitLab from the local repository.
    for (const step of [
      'pipelineCommon',
      'pipelineGithub',
      'pipelineGitlab',
      'publish',
      'register',
      'pullRequest',
      'mergeRequest',
    ]) {
      assert.equal(status[step], 'skipped', `step ${step}: ${status[step]}`);
    }

    const messages = result.log.map(l => l.body.message ?? '').join('\n');
    assert.match(messages, /passed the content policy/);
    assert.match(messages, /\$ terraform fmt -check -recursive -diff/);
    assert.match(messages, /\$ terraform init -backend=false -input=false/);
    assert.match(messages, /validation was skipped/);
    assert.match(messages, /Plan skipped: dry run: nothing is planned/);
    assert.doesNotMatch(messages, /\$ terraform plan/);
    assert.match(messages, /Apply skipped: the plan was not made/);

    const summary = JSON.stringify(result.output);
    assert.match(summary, /NOT applied/);
    assert.match(summary, /not provisioned/);
    assert.match(summary, /not registered/);
  });
});
