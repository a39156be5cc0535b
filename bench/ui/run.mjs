#!/usr/bin/env node
// `yarn bench:ui`: the on-call page of the real built app in Chromium, against
// the sandbox's generated world of 1,000 services x 2 environments and, in the
// same run, of 10 services x 2. Prints the medians of several page loads and
// the floors of issue 16, and saves the table to bench/ui/results/latest.md.
// See bench/ui/README.md for what is measured and how.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { buildApp } from '../../scripts/lib/portal.mjs';
import { installProbe } from './page-probe.mjs';
import { startGeneratedPortal } from './portal.mjs';
import { cpuSeconds } from './proc.mjs';
import { formatReport } from './report.mjs';

if (Number(process.versions.node.split('.')[0]) < 22) {
  process.stderr.write(
    `bench:ui: Node ${process.version}; the backend needs Node 22+. Run it as: source scripts/toolchain.sh && kler_use_node && kler_yarn bench:ui\n`,
  );
  process.exit(1);
}

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    sizes: { type: 'string', default: '10,1000' },
    keystrokes: { type: 'string', default: '4' },
    output: { type: 'string' },
  },
});
const RUNS = Number(args.runs);
const SIZES = args.sizes.split(',').map(Number);
const KEYSTROKES = Number(args.keystrokes);
const outputFile =
  args.output ??
  join(dirname(fileURLToPath(import.meta.url)), 'results/latest.md');

const log = message =>
  process.stderr.write(
    `[bench:ui ${new Date().toISOString().slice(11, 19)}] ${message}\n`,
  );

async function launchBrowser() {
  return chromium.launchPersistentContext(
    mkdtempSync(join(tmpdir(), 'kler-bench-ui-')),
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
}

/** One load of the on-call page and a few keystrokes in its filter box. */
async function measureOnce(context, baseUrl) {
  const page = await context.newPage();
  try {
    await page.addInitScript(installProbe);
    await page.goto(`${baseUrl}/environments`, { waitUntil: 'commit' });
    await page.waitForFunction(
      () =>
        window.__uiBench?.matrixPaintedAt > 0 &&
        window.__uiBench?.problemsPaintedAt > 0,
      undefined,
      { timeout: 120_000, polling: 100 },
    );
    // Long tasks that end within a second of the paint still belong to the load.
    await page.waitForTimeout(1000);
    const load = await page.evaluate(() => ({
      ...window.__uiBench,
      // When the page asked for its first data: what comes after is the page's.
      dataRequestedAt: performance
        .getEntriesByType('resource')
        .find(e => e.name.includes('/api/environments/v1/'))?.startTime,
    }));

    const filter = page.getByLabel('Filter services and problems');
    await filter.focus();
    const keys = ['1', '2', 'Backspace', 'Backspace', '3', 'Backspace'];
    for (let i = 0; i < KEYSTROKES; i++) {
      const before = await page.evaluate(
        () => window.__uiBench.keystrokes.length,
      );
      await page.keyboard.press(keys[i % keys.length]);
      await page.waitForFunction(
        n => window.__uiBench.keystrokes.length > n,
        before,
        { timeout: 10_000, polling: 20 },
      );
      await page.waitForTimeout(150);
    }
    const { keystrokes } = await page.evaluate(() => window.__uiBench);
    return {
      matrixMs: load.matrixPaintedAt,
      problemsMs: load.problemsPaintedAt,
      longestTaskMs: Math.max(0, ...load.longTasks.map(t => t.duration)),
      // The app's own start (its bundle, sign-in) runs before the page asks
      // for data; the tasks after it are what the page itself costs.
      longestPageTaskMs: Math.max(
        0,
        ...load.longTasks
          .filter(t => t.start + t.duration > load.dataRequestedAt)
          .map(t => t.duration),
      ),
      keystrokeMs: median(keystrokes),
    };
  } finally {
    await page.close();
  }
}

function median(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function measureSize(size) {
  log(
    `size ${size} services x 2 environments: starting the sandbox and the backend`,
  );
  const portal = await startGeneratedPortal(size);
  const context = await launchBrowser();
  try {
    const details = await Promise.all(
      portal.environmentNames.map(async name => {
        const res = await fetch(
          `${portal.backend.baseUrl}/api/environments/v1/environments/${name}`,
          { headers: { authorization: `Bearer ${portal.token}` } },
        );
        return (await res.arrayBuffer()).byteLength;
      }),
    );
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(portal.backend.baseUrl);
    await page.getByRole('button', { name: 'Enter' }).click();
    await page
      .locator('nav[aria-label="sidebar nav"]')
      .waitFor({ state: 'attached', timeout: 60_000 });

    log(
      `size ${size}: a warm-up load (fills the HTTP cache), then ${RUNS} measured`,
    );
    await measureOnce(context, portal.backend.baseUrl);
    const cpuBefore = {
      backend: cpuSeconds(portal.backend.pid),
      sandbox: cpuSeconds(portal.sandbox.pid),
    };
    const loadBefore = loadavg()[0];
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      runs.push(await measureOnce(context, portal.backend.baseUrl));
      log(
        `size ${size} run ${i + 1}: matrix ${runs[i].matrixMs.toFixed(
          0,
        )} ms, problems ${runs[i].problemsMs.toFixed(
          0,
        )} ms, longest task ${runs[i].longestPageTaskMs.toFixed(0)} ms (${runs[
          i
        ].longestTaskMs.toFixed(0)} ms with the app's start), keystroke ${runs[
          i
        ].keystrokeMs.toFixed(1)} ms`,
      );
    }
    return {
      size,
      runs,
      detailsBytes: details,
      load: [loadBefore, loadavg()[0]],
      cpu: {
        backend: cpuSeconds(portal.backend.pid) - cpuBefore.backend,
        sandbox: cpuSeconds(portal.sandbox.pid) - cpuBefore.sandbox,
      },
      median: {
        matrixMs: median(runs.map(r => r.matrixMs)),
        problemsMs: median(runs.map(r => r.problemsMs)),
        longestTaskMs: median(runs.map(r => r.longestTaskMs)),
        longestPageTaskMs: median(runs.map(r => r.longestPageTaskMs)),
        keystrokeMs: median(runs.map(r => r.keystrokeMs)),
      },
    };
  } finally {
    await context.close();
    await portal.stop();
  }
}

const started = new Date();
log(`building the app (packages/app/dist) unless a fresh build is there`);
buildApp();
const results = [];
for (const size of SIZES) {
  results.push(await measureSize(size));
}
const report = formatReport({
  results,
  runs: RUNS,
  keystrokes: KEYSTROKES,
  started,
  cpuCount: cpus().length,
});
process.stdout.write(`${report}\n`);
writeFileSync(outputFile, `${report}\n`);
log(`saved to ${outputFile}`);
const failed = report.includes('| FAIL |');
process.exitCode = failed ? 1 : 0;
