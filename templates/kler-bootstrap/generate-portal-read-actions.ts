/**
 * Writes portal-read-actions.json: the IAM actions of kler-bootstrap's
 * read-only portal role, area by area, from the one list the environments
 * backend reads with, ENVIRONMENT_AREA_IAM_ACTIONS in
 * plugins/environments-common/src/rules/readErrorRules.ts. Terraform reads
 * the file (jsondecode(file(...))); kler-bootstrap.test.ts fails when the
 * file and the list differ. Run from the repository root after changing the
 * list:
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs \
 *     templates/kler-bootstrap/generate-portal-read-actions.ts
 */
import { ENVIRONMENT_AREA_IAM_ACTIONS } from '@kler/plugin-environments-common';
import fs from 'node:fs';
import path from 'node:path';

// The file is written the way the repository's Prettier formats JSON, so
// prettier --check passes on it. Prettier 2 ships no types; format() is all
// this script uses.
const prettier: {
  format(source: string, options: { parser: string }): string;
} = require('prettier');

/** The file's content for a list of actions by area (sorted, so diffs stay small). */
export function portalReadActionsDocument(
  areas: Record<string, string[]> = ENVIRONMENT_AREA_IAM_ACTIONS,
) {
  return {
    generatedBy:
      'templates/kler-bootstrap/generate-portal-read-actions.ts from ENVIRONMENT_AREA_IAM_ACTIONS (plugins/environments-common/src/rules/readErrorRules.ts); do not edit',
    areas: Object.fromEntries(
      Object.entries(areas).map(([area, actions]) => [
        area,
        [...actions].sort(),
      ]),
    ),
  };
}

if (require.main === module) {
  const file = path.join(__dirname, 'portal-read-actions.json');
  const content = prettier.format(JSON.stringify(portalReadActionsDocument()), {
    parser: 'json',
  });
  const relative = path.relative(process.cwd(), file);
  // --check: only say whether the file is what this script would write.
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (current !== content) {
      process.stderr.write(
        `${relative} differs from ENVIRONMENT_AREA_IAM_ACTIONS; run this script to regenerate it\n`,
      );
      process.exit(1);
    }
    process.stdout.write(`${relative} is up to date\n`);
  } else {
    fs.writeFileSync(file, content);
    process.stdout.write(`Wrote ${relative}\n`);
  }
}
