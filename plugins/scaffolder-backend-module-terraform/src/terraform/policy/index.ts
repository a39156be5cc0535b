/**
 * The content policy: what a Terraform configuration may use, checked before
 * Terraform reads any of it. Each kind of rule lives in its own module;
 * `checkTerraformPolicy` walks the blocks of each file in a fixed order and
 * applies the rules that concern each block, so the refusals come in the
 * order of the file's blocks, every kind of rule of a block together.
 */
import { backendViolations } from './backends';
import {
  provisionerViolations,
  refusedDataSourceViolation,
  removedBlockViolations,
} from './dataSourcesAndProvisioners';
import { listTerraformFiles, ParsedFile, parseFile } from './files';
import { bodies, headerPattern, isBody } from './hcl';
import {
  fileFunctionViolations,
  hostFileArgumentViolations,
} from './hostFiles';
import { moduleViolations } from './modules';
import {
  explicitProvider,
  importViolations,
  providerBlockViolations,
  ProviderCheck,
  providerCheck,
  requiredProviderViolations,
} from './providers';
import { PolicyViolation, TerraformContentPolicy } from './types';
import { TerraformPolicyError } from './violations';

export { listTerraformFiles, parseFile } from './files';
export type { ParsedFile } from './files';
export { normalizeProviderSource } from './providers';
export type { PolicyViolation, TerraformContentPolicy } from './types';
export { describeViolation, TerraformPolicyError } from './violations';

/**
 * Checks every `.tf` file under `workingDirectory` (the root module and the
 * local modules in it) against the policy, before Terraform reads any of it.
 * Throws a {@link TerraformPolicyError} (an InputError) naming each refused
 * block with its file.
 */
export async function checkTerraformPolicy(
  workingDirectory: string,
  policy: TerraformContentPolicy,
): Promise<void> {
  const files = await Promise.all(
    (
      await listTerraformFiles(workingDirectory)
    ).map(file => parseFile(workingDirectory, file)),
  );
  const checkProvider = providerCheck(files, policy);
  const violations: PolicyViolation[] = [];
  for (const parsed of files) {
    for (const terraform of bodies(parsed.body.terraform)) {
      violations.push(
        ...requiredProviderViolations(parsed, terraform, checkProvider),
        ...backendViolations(parsed, terraform, policy),
      );
    }
    violations.push(
      ...providerBlockViolations(parsed, checkProvider),
      ...resourceViolations(
        parsed,
        'resource',
        parsed.body.resource,
        checkProvider,
      ),
      ...resourceViolations(parsed, 'data', parsed.body.data, checkProvider),
      ...resourceViolations(
        parsed,
        'ephemeral',
        parsed.body.ephemeral,
        checkProvider,
      ),
    );
    const checks = isBody(parsed.body.check) ? parsed.body.check : {};
    for (const value of Object.values(checks)) {
      for (const body of bodies(value)) {
        violations.push(
          ...resourceViolations(parsed, 'data', body.data, checkProvider),
        );
      }
    }
    violations.push(
      ...removedBlockViolations(parsed),
      ...importViolations(parsed, checkProvider),
      ...moduleViolations(parsed, workingDirectory, policy),
      ...(await fileFunctionViolations(parsed)),
    );
  }

  if (violations.length > 0) {
    throw new TerraformPolicyError(violations);
  }
}

/**
 * Resources, data sources and ephemeral resources, at the top or in a check
 * block: a refused data source is refused outright; any other block is held
 * to the provider allowlist, has no provisioner and names no host file.
 */
function resourceViolations(
  parsed: ParsedFile,
  keyword: 'resource' | 'data' | 'ephemeral',
  byType: unknown,
  checkProvider: ProviderCheck,
): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  for (const [type, byName] of Object.entries(isBody(byType) ? byType : {})) {
    for (const [name, value] of Object.entries(isBody(byName) ? byName : {})) {
      const block = `${keyword} "${type}" "${name}"`;
      const header = headerPattern(keyword, type, name);
      const refused =
        keyword === 'data'
          ? refusedDataSourceViolation(parsed, type, block, header)
          : undefined;
      if (refused) {
        violations.push(refused);
        continue;
      }
      for (const body of bodies(value)) {
        violations.push(
          ...checkProvider(
            parsed,
            explicitProvider(body) ?? type.split('_')[0],
            block,
            header,
          ),
          ...provisionerViolations(parsed, body, block, header),
          ...hostFileArgumentViolations(parsed, body, block, header),
        );
      }
    }
  }
  return violations;
}
