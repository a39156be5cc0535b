// Runs axe-core (npm axe-core, injected into the page) on what the page shows.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from '../lib/backend.mjs';

const axeSource = readFileSync(
  createRequire(join(repoRoot, 'package.json')).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** The impacts that fail a page. */
export const BLOCKING_IMPACTS = ['serious', 'critical'];

/**
 * Every axe violation on the page (WCAG 2.x A and AA rules and axe's best
 * practices), each with its impact, rule, help and the first few elements.
 */
export async function runAxe(page) {
  if (!(await page.evaluate(() => Boolean(window.axe)))) {
    // Evaluated over the DevTools protocol: the app's CSP refuses inline scripts.
    await page.evaluate(axeSource);
  }
  const result = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
      },
      resultTypes: ['violations'],
    }),
  );
  return result.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.length,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
  }));
}

/** One line per violation, for assertion messages and logs. */
export function formatViolations(violations) {
  return violations
    .map(
      v =>
        `${v.impact} ${v.id} (${v.nodes}x): ${v.help} -- ${v.targets.join(
          ' | ',
        )}`,
    )
    .join('\n');
}
