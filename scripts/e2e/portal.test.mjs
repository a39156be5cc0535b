// Browser tests: the real app and backend on the local AWS sandbox, driven in
// Debian's Chromium. Screenshots land in test-results/screenshots/.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { repoRoot } from '../lib/backend.mjs';
import { buildApp, startPortal } from '../lib/portal.mjs';

const screenshots = join(repoRoot, 'test-results/screenshots');
const timeout = 60_000;

describe('KLER portal in Chromium', () => {
  let portal;
  let browser;
  let page;

  before(async () => {
    buildApp();
    portal = await startPortal();
    mkdirSync(screenshots, { recursive: true });
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
    await browser?.close();
    await portal?.stop();
  });

  test('the on-call dashboard shows both environments from the sandbox', async () => {
    await page.goto(`${portal.backend.baseUrl}/environments`);
    await page
      .getByText(/sandbox/i)
      .first()
      .waitFor();
    await page.getByText('Production', { exact: false }).first().waitFor();
    await page.getByText('Development', { exact: false }).first().waitFor();
    await page.screenshot({
      path: join(screenshots, 'on-call-dashboard.png'),
      fullPage: true,
    });
  });

  test("a component's Environments tab shows its service side by side", async () => {
    await page.goto(
      `${portal.backend.baseUrl}/catalog/default/component/shop-api/environments`,
    );
    await page.getByText('shop-api').first().waitFor();
    await page
      .getByText(/production/i)
      .first()
      .waitFor();
    await page
      .getByText(/development/i)
      .first()
      .waitFor();
    await page.screenshot({
      path: join(screenshots, 'component-environments-tab.png'),
      fullPage: true,
    });
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
    await page.screenshot({
      path: join(screenshots, 'environment-page.png'),
      fullPage: true,
    });
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
    const problem = page.getByText(/AccessDenied/).first();
    await problem.waitFor({ timeout: 90_000 });
    assert.ok(await problem.isVisible());
    await page.screenshot({
      path: join(screenshots, 'on-call-fault-injected.png'),
      fullPage: true,
    });
  });
});
