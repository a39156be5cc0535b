// Browser tests: the real app and backend on the local AWS sandbox, driven in
// Debian's Chromium. Each of the three pages is checked with axe-core (no
// serious or critical violation) and photographed in light and dark mode into
// test-results/screenshots/; with KLER_UPDATE_SCREENSHOTS=1 the README's
// screenshots in docs/screenshots/ are replaced too.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { repoRoot } from '../lib/backend.mjs';
import { waitFor } from '../lib/net.mjs';
import { buildApp, startPortal } from '../lib/portal.mjs';
import { BLOCKING_IMPACTS, formatViolations, runAxe } from './axe.mjs';

const screenshots = join(repoRoot, 'test-results/screenshots');
const docsScreenshots = join(repoRoot, 'docs/screenshots');
const updateDocs = process.env.KLER_UPDATE_SCREENSHOTS === '1';
const timeout = 60_000;

describe('KLER portal in Chromium', () => {
  let portal;
  let browser;
  let page;
  const axeReport = [];

  /**
   * A full-page screenshot in light and in dark mode (the app follows the
   * system's), or of the `target` element only; the dark page is checked
   * with axe too.
   */
  async function photograph(name, ready, axeName, target) {
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await ready();
      // Let the theme's transitions settle before the picture.
      await page.waitForTimeout(300);
      if (scheme === 'dark') await expectAccessible(`${axeName}, dark`);
      const file = `${name}${scheme === 'dark' ? '-dark' : ''}.png`;
      if (target) {
        await target().screenshot({ path: join(screenshots, file) });
      } else {
        await page.screenshot({
          path: join(screenshots, file),
          fullPage: true,
        });
      }
      if (updateDocs) {
        copyFileSync(join(screenshots, file), join(docsScreenshots, file));
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
  }

  async function expectAccessible(name) {
    const violations = await runAxe(page);
    axeReport.push({ page: name, violations });
    const blocking = violations.filter(v =>
      BLOCKING_IMPACTS.includes(v.impact),
    );
    assert.equal(
      blocking.length,
      0,
      `axe found serious violations on ${name}:\n${formatViolations(blocking)}`,
    );
  }

  before(async () => {
    buildApp();
    portal = await startPortal();
    // The catalog ingests the environment Resources after the backend is
    // ready; the pages are checked once both environments have been read.
    const token = await portal.backend.guestToken();
    for (const name of ['production', 'development']) {
      await portal.backend.waitForEntity('resource', name, token);
    }
    await waitFor(
      async () => {
        const res = await portal.backend.get(
          '/api/environments/v1/environments',
          token,
        );
        return (
          res.status === 200 &&
          res.body.items.length === 2 &&
          res.body.items.every(item => item.refreshedAt)
        );
      },
      { timeoutMs: 90_000, what: 'both environments read' },
    );
    mkdirSync(screenshots, { recursive: true });
    mkdirSync(docsScreenshots, { recursive: true });
    // A fresh profile per run; Playwright passes it as --user-data-dir.
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
    for (const { page: name, violations } of axeReport) {
      process.stdout.write(
        `# axe ${name}: ${violations.length} violations${
          violations.length ? `\n${formatViolations(violations)}` : ''
        }\n`,
      );
    }
    await browser?.close();
    await portal?.stop();
  });

  const matrixRow = service =>
    page.locator(`[data-testid="service-matrix"] [data-service="${service}"]`);

  test('the on-call page: a line per environment, the service matrix and the problems', async () => {
    await page.goto(`${portal.backend.baseUrl}/environments`);
    const production = page.getByRole('region', {
      name: 'Environment Production',
    });
    await production.waitFor();
    await page
      .getByRole('region', { name: 'Environment Development' })
      .waitFor();
    assert.match(await production.innerText(), /critical/);
    assert.match(await production.innerText(), /read \d+ (s|min) ago/);
    for (const service of ['storefront', 'shop-api', 'order-worker']) {
      await matrixRow(service).waitFor();
    }
    // Both environments' cells say running / desired in words, beside the icon.
    assert.match(await matrixRow('shop-api').innerText(), /\d+\/\d+ running/);
    await page.getByTestId('problem-list').waitFor();
    // The worst problem open: its explanation, fix with commands and links.
    await page
      .getByTestId('problem-list')
      .locator('button[aria-expanded]')
      .first()
      .click();
    await page
      .getByTestId('problem-list')
      .getByRole('region', { name: /^Details of / })
      .waitFor();
    await expectAccessible('on-call page');
    await photograph(
      'on-call-dashboard',
      () => matrixRow('shop-api').waitFor(),
      'on-call page',
    );
  });

  test('the on-call page is driven from the keyboard and its URL keeps filters and the open problem', async () => {
    await page.goto(`${portal.backend.baseUrl}/environments`);
    const filter = page.getByLabel('Filter services and problems');
    await filter.waitFor();
    await matrixRow('storefront').waitFor();
    // Tab reaches the filter box.
    await page.locator('body').focus();
    for (let i = 0; i < 60; i++) {
      if (await filter.evaluate(el => el === document.activeElement)) break;
      await page.keyboard.press('Tab');
    }
    assert.ok(await filter.evaluate(el => el === document.activeElement));
    await page.keyboard.type('shop-api');
    await page.waitForFunction(
      () =>
        document.querySelectorAll(
          '[data-testid="service-matrix"] [data-service]',
        ).length === 1,
    );
    await page.waitForURL(/[?&]q=shop-api/);

    // The first problem line opens with Enter; its fix has a copy button.
    const firstProblem = page
      .getByTestId('problem-list')
      .locator('button[aria-expanded]')
      .first();
    await firstProblem.focus();
    await page.keyboard.press('Enter');
    assert.equal(await firstProblem.getAttribute('aria-expanded'), 'true');
    await page.waitForURL(/[?&]problem=/);
    const url = page.url();

    // The link pasted elsewhere opens the same view.
    await page.goto('about:blank');
    await page.goto(url);
    await page.getByTestId('problem-list').waitFor();
    assert.equal(
      await page.getByLabel('Filter services and problems').inputValue(),
      'shop-api',
    );
    const reopened = page
      .getByTestId('problem-list')
      .locator('button[aria-expanded="true"]');
    await reopened.first().waitFor();
    // An auto-refresh (every 15 s) leaves it open.
    await page.waitForTimeout(16_000);
    assert.ok((await reopened.count()) >= 1);
  });

  test("a component's Environments tab shows its service side by side", async () => {
    await page.goto(
      `${portal.backend.baseUrl}/catalog/default/component/shop-api/environments`,
    );
    await page.getByText('shop-api').first().waitFor();
    await page
      .getByRole('region', { name: /^Environment Production/ })
      .waitFor();
    await page
      .getByRole('region', { name: /^Environment Development/ })
      .waitFor();
    await page
      .getByRole('img', { name: /^shop-api in Production: / })
      .waitFor();
    await expectAccessible('Environments tab');
    await photograph(
      'component-environments-tab',
      () =>
        page.getByRole('img', { name: /^shop-api in Production: / }).waitFor(),
      'Environments tab',
    );
  });

  test("a component's Environments tab shows what runs where, differences marked", async () => {
    await page.goto(
      `${portal.backend.baseUrl}/catalog/default/component/shop-api/environments`,
    );
    const table = page.getByRole('table', { name: 'What runs where' });
    await table.waitFor();
    const header = await table.getByRole('columnheader').allInnerTexts();
    assert.deepEqual(header, [
      'Attribute',
      'Production',
      'Development',
      'Parity',
    ]);
    const row = name =>
      table.locator('tr', {
        has: page.getByRole('rowheader', { name, exact: true }),
      });
    // The sandbox scales shop-api from 3 in production, from 1 in development,
    // runs 2026.11.5 in production and 2026.11.6-rc2 in development, and
    // development sets DB_PASSWORD in plaintext.
    const scaling = row('Scaling');
    assert.equal(await scaling.getAttribute('data-state'), 'different');
    assert.match(await scaling.innerText(), /Differs/);
    const image = row('Image (shop-api)');
    await image.waitFor();
    assert.equal(await image.getAttribute('data-state'), 'different');
    assert.match(
      await image.innerText(),
      /kler\/shop-api:2026\.11\.5[\s\S]*kler\/shop-api:2026\.11\.6-rc2/,
    );
    assert.match(
      await row('Variables (shop-api)').innerText(),
      /Development has DB_PASSWORD, Production lacks it/,
    );
    const differing = table.locator('tr[data-state="different"]');
    assert.ok((await differing.count()) >= 1);

    const onlyDifferences = page.getByRole('checkbox', {
      name: 'Only differences',
    });
    await onlyDifferences.check();
    assert.equal(
      await table.locator('tr[data-state]').count(),
      await differing.count(),
    );
    await onlyDifferences.uncheck();
    await expectAccessible('What runs where');
    await photograph(
      'component-what-runs-where',
      () => table.waitFor(),
      'What runs where',
      () => page.locator('[class*="MuiCard-root"]', { has: table }).first(),
    );
  });

  test('the environment page shows the whole environment', async () => {
    await page.goto(
      `${portal.backend.baseUrl}/catalog/default/resource/production/environment`,
    );
    for (const service of [
      'storefront',
      'shop-api',
      'admin-panel',
      'image-service',
      'order-worker',
    ]) {
      await page.getByText(service).first().waitFor();
    }
    await page.getByRole('list', { name: 'Problems of Production' }).waitFor();
    await expectAccessible('Environment page');
    await photograph(
      'environment-page',
      () => page.getByText('order-worker').first().waitFor(),
      'Environment page',
    );
  });

  test('a fault injected in production shows up as a problem', async () => {
    await portal.sandbox.admin('POST', '/faults', {
      id: 'e2e-backup-denied',
      environment: 'production',
      service: 'backup',
      accessDenied: true,
    });
    await page.goto(`${portal.backend.baseUrl}/environments`);
    // The dashboard refreshes on its own; the backend re-reads every few seconds.
    const problem = page
      .getByTestId('problem-list')
      .getByText('Cannot read backup of production')
      .first();
    await problem.waitFor({ timeout: 90_000 });
    assert.ok(await problem.isVisible());
    await page.screenshot({
      path: join(screenshots, 'on-call-fault-injected.png'),
      fullPage: true,
    });
  });
});
