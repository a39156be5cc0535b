/**
 * Refuses module sources other than local paths inside the checked directory
 * and the prefixes of `kler.terraform.allowedModuleSources`: `init` downloads
 * a module from anywhere, and a local path outside the directory (or in the
 * actions' folder) is a configuration the policy did not read.
 */
import path from 'node:path';
import { ParsedFile, SKIPPED_DIRECTORY } from './files';
import { bodies, headerPattern, isBody } from './hcl';
import { PolicyViolation, TerraformContentPolicy } from './types';
import { refusal } from './violations';

/** A local module source. */
const LOCAL_MODULE_SOURCE = /^\.\.?\//;

/** The `module` blocks of a file. */
export function moduleViolations(
  parsed: ParsedFile,
  workingDirectory: string,
  policy: TerraformContentPolicy,
): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  const modules = isBody(parsed.body.module) ? parsed.body.module : {};
  for (const [name, value] of Object.entries(modules)) {
    for (const body of bodies(value)) {
      const source = typeof body.source === 'string' ? body.source : '';
      const block = `module "${name}"`;
      const header = headerPattern('module', name);
      if (LOCAL_MODULE_SOURCE.test(source)) {
        const resolved = path.resolve(parsed.directory, source);
        const relative = path.relative(workingDirectory, resolved);
        if (relative.startsWith('..') || path.isAbsolute(relative)) {
          violations.push(
            refusal(
              parsed,
              block,
              header,
              `has the source ${source}, which leaves the configuration's directory`,
            ),
          );
        } else if (relative.split(path.sep)[0] === SKIPPED_DIRECTORY) {
          violations.push(
            refusal(
              parsed,
              block,
              header,
              `has the source ${source}, in ${SKIPPED_DIRECTORY}, which the policy does not read`,
            ),
          );
        }
      } else if (
        !policy.allowedModuleSources.some(prefix => source.startsWith(prefix))
      ) {
        violations.push(
          refusal(
            parsed,
            block,
            header,
            `has the source ${
              source || '(none)'
            }, which is neither a local path nor in kler.terraform.allowedModuleSources`,
          ),
        );
      }
    }
  }
  return violations;
}
