// Browser test of the whole flow without AWS: the real app and backend on the
// local AWS sandbox, as `./kler start` runs them. A platform engineer creates
// an environment from the kler-environment template in the UI, follows the
// task, and finds the environment on the on-call page and on its own
// Environment tab with its run history. Prints how long it took from the form
// submitted to the environment on the dashboard. Screenshots land in
// test-results/screenshots/; with KLER_UPDATE_SCREENSHOTS=1 the README's in
// docs/screenshots/ are replaced too.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { repoRoot } from '../lib/backend.mjs';
import { buildApp, startPortal } from '../lib/portal.mjs';

const screenshots = join(repoRoot, 'test-results/screenshots');
const docsScreenshots = join(repoRoot, 'docs/screenshots');
const updateDocs = process.env.KLER_UPDATE_SCREENSHOTS === '1';
const timeout = 60_000;
/** As app-config.sandbox.yaml refreshes, so the timing is what a user sees. */
const REFRESH_SECONDS = 15;

const environment = {
  name: 'staging',
  title: 'Staging',
  description: 'Where releases are tried before production',
  account: '111111111111',
  domain: 'staging.shop.kler.example',
  hostedZone: 'Z0123456789ABCDEFGHIJ',
  alarmEmail: 'oncall@kler.example',
  imageTag: '2.3.1',
};

describe('creating an environment in the portal on the local sandbox', () => {
  let portal;
  let browser;
  let page;
  let root;
  /** Times (ms since the epoch) of the form submitted and the environment seen. */
  const times = {};

  before(async () => {
    buildApp();
    // The environments repository of this run, written as app-config.yaml
    // writes the local one: relative to the backend's working directory, and
    // trusted.
    root = mkdtempSync(join(tmpdir(), 'kler-e2e-environments-'));
    const repository = relative(
      join(repoRoot, 'packages/backend'),
      join(root, 'environments.git'),
    );
    portal = await startPortal({
      refreshSeconds: REFRESH_SECONDS,
      backendConfig: {
        kler: {
          environments: {
            localRepository: repository,
            trustedLocations: [
              'file:../../catalog/all.yaml',
              `file:${repository}/*`,
            ],
          },
        },
      },
    });
    mkdirSync(screenshots, { recursive: true });
    browser = await chromium.launchPersistentContext(
      mkdtempSync(join(tmpdir(), 'kler-chromium-')),
      {
        executablePath: process.env.KLER_CHROMIUM ?? '/usr/bin/chromium',
        headless: true,
        viewport: { width: 1440, height: 900 },
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      },
    );
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(timeout);
    await page.goto(portal.backend.baseUrl);
    await page.getByRole('button', { name: 'Enter' }).click();
    await page
      .locator('nav[aria-label="sidebar nav"]')
      .waitFor({ state: 'attached' });
  });

  after(async () => {
    await browser?.close();
    await portal?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const next = () => page.getByRole('button', { name: 'Next' }).click();

  /** A full-page screenshot; the README's own with KLER_UPDATE_SCREENSHOTS=1. */
  async function photograph(name, { forDocs = true } = {}) {
    const file = `${name}.png`;
    await page.screenshot({ path: join(screenshots, file), fullPage: true });
    if (updateDocs && forDocs) {
      copyFileSync(join(screenshots, file), join(docsScreenshots, file));
    }
  }

  test('fills every page of the kler-environment form and submits it', async () => {
    await page.goto(`${portal.backend.baseUrl}/create`);
    // The card of the template: the innermost element holding its title and
    // a Choose button.
    await page
      .locator('div')
      .filter({
        has: page.getByText('KLER environment on AWS', { exact: true }),
      })
      .filter({ has: page.getByRole('button', { name: 'Choose' }) })
      .last()
      .getByRole('button', { name: 'Choose' })
      .click();

    // Environment
    await page.getByLabel('Name').fill(environment.name);
    await page.getByLabel('Title').fill(environment.title);
    await page.getByLabel('What it is for').fill(environment.description);
    const owner = page.getByRole('textbox', { name: 'Owner' });
    await owner.click();
    await owner.fill('platform');
    await page.getByRole('option', { name: 'Platform team' }).click();
    await next();
    // AWS: the development account; region, hosts and instance type as offered
    await page.getByLabel('AWS account id').fill(environment.account);
    await next();
    // HTTPS
    await page.getByLabel('Domain name').fill(environment.domain);
    await page
      .getByLabel('Route 53 hosted zone id')
      .fill(environment.hostedZone);
    await next();
    // Alarms
    await page.getByLabel('Email address').fill(environment.alarmEmail);
    await next();
    // Services: the offered storefront, with an image tag so that it runs
    await page.getByLabel('Image tag').fill(environment.imageTag);
    await photograph('create-environment-form');
    await next();
    // Storage and backups as offered, then the review of every answer
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByText(environment.domain).first().waitFor();
    await photograph('create-environment-review', { forDocs: false });

    times.submitted = Date.now();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/create\/tasks\/[^/]+$/);
  });

  test('the task provisions the local sandbox, says it is not AWS, and publishes', async () => {
    assert.ok(times.submitted, 'the form was not submitted');
    const done = page.getByText('What was done');
    await done.waitFor({ timeout: 120_000 });
    times.taskDone = Date.now();
    const text = await page.locator('body').innerText();
    assert.match(text, /Apply: NOT applied on AWS \(the plan was not made/);
    assert.match(
      text,
      /Local sandbox: provisioned in the local AWS sandbox as demo data, not on AWS: cluster kler-staging in 111111111111 \(development\), eu-west-1 with storefront/,
    );
    assert.match(
      text,
      /Result: the environment exists only in the local sandbox \(demo data\); nothing was applied on AWS\./,
    );
    assert.match(text, /Published: commit [0-9a-f]{40} in /);
    assert.match(text, /Catalog: handed to the catalog/);
    assert.doesNotMatch(text, /applied on AWS:|runs on AWS/);
    await photograph('create-environment-task');

    // The sandbox holds it, added through its admin API.
    const { environments } = await portal.sandbox.admin('GET', '/environments');
    assert.deepEqual(
      environments.find(e => e.name === environment.name),
      {
        name: 'staging',
        account: environment.account,
        region: 'eu-west-1',
        cluster: 'kler-staging',
        origin: 'admin',
      },
    );
  });

  test('the on-call page shows it within one refresh, labelled sandbox data', async () => {
    assert.ok(times.submitted, 'the form was not submitted');
    await page.goto(`${portal.backend.baseUrl}/environments`);
    // The page's own polling brings it in; the test does not reload.
    await page
      .getByText(
        /production, development, staging: read from the local AWS sandbox/,
      )
      .waitFor({ timeout: 90_000 });
    times.onDashboard = Date.now();
    await page.getByText(environment.title, { exact: true }).first().waitFor();
    await photograph('on-call-new-environment');

    const seconds = ms => (ms / 1000).toFixed(1);
    const total = times.onDashboard - times.submitted;
    // The closing note of the README quotes this line.
    console.log(
      `# form submitted → visible on the dashboard: ${seconds(
        total,
      )} s (task ${seconds(times.taskDone - times.submitted)} s, then ${seconds(
        times.onDashboard - times.taskDone,
      )} s until the on-call page showed it; backend refresh every ${REFRESH_SECONDS} s, page refresh every 15 s)`,
    );
    // The backend's refresh and the page's own, each at most once, plus the task.
    assert.ok(total < 60_000, `took ${seconds(total)} s`);
  });

  test('its Environment tab shows the environment from the sandbox with its run history', async () => {
    assert.ok(times.submitted, 'the form was not submitted');
    await page.goto(
      `${portal.backend.baseUrl}/catalog/default/resource/${environment.name}/environment`,
    );
    await page.getByText('Runs', { exact: true }).waitFor();
    await page
      .getByText(
        /Provisioned in the local AWS sandbox \(demo data\), not on AWS: cluster kler-staging/,
      )
      .waitFor();
    const text = await page.locator('body').innerText();
    assert.match(text, /staging: read from the local AWS sandbox/);
    assert.match(text, /Plan\s+Portal\s+user:default\/guest\s+Skipped/);
    assert.match(text, /Apply\s+Portal\s+user:default\/guest\s+Succeeded/);
    // Its service and capacity, read from the sandbox.
    assert.match(
      text,
      /Services \(1\)[\s\S]*storefront[\s\S]*\d+\/\d+ running/,
    );
    assert.match(
      text,
      /kler-staging-ecs[\s\S]{0,40}min 2 \/ desired \d+ \/ max 6/,
    );
    await photograph('environment-runs');
  });
});
