import fs from 'node:fs/promises';
import path from 'node:path';
import { listTerraformFiles, parseFile } from '../terraform/policy';
import { availabilityRules } from './availabilityRules';
import { backupRules } from './backupRules';
import {
  TerraformConfiguration,
  TerraformVariableValues,
  buildConfiguration,
  isBody,
} from './configuration';
import { efsRules } from './efsRules';
import { encryptionRules } from './encryptionRules';
import { httpsRules } from './httpsRules';
import { imageRules } from './imageRules';
import { ReviewProblem, ReviewRule, runReviewRules } from './reviewRule';
import { secretRules } from './secretRules';

/** Every rule of the review, in the order the README lists them. */
export const reviewRules: ReviewRule[] = [
  ...efsRules,
  ...httpsRules,
  ...encryptionRules,
  ...availabilityRules,
  ...backupRules,
  ...imageRules,
  ...secretRules,
];

/** Largest values file read, as for `.tf` files. */
const MAX_VALUES_FILE_BYTES = 1024 * 1024;

/**
 * The root module's values files Terraform loads by itself, in its order:
 * `terraform.tfvars.json`, then `*.auto.tfvars.json` by name. A file that is
 * not a regular file, is too large or is not a JSON object is left out:
 * Terraform reports it at plan.
 */
async function readVariableValues(
  directory: string,
): Promise<TerraformVariableValues | undefined> {
  const names = [
    'terraform.tfvars.json',
    ...(await fs.readdir(directory))
      .filter(name => name.endsWith('.auto.tfvars.json'))
      .sort(),
  ];
  const values: TerraformVariableValues = { files: [], values: {} };
  for (const name of names) {
    const file = path.join(directory, name);
    const stat = await fs.lstat(file).catch(() => undefined);
    if (!stat?.isFile() || stat.size > MAX_VALUES_FILE_BYTES) continue;
    const text = await fs.readFile(file, 'utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      continue;
    }
    if (!isBody(parsed)) continue;
    values.files.push({ file: name, text });
    // JSON.parse makes every key an own property, __proto__ included.
    values.values = Object.fromEntries([
      ...Object.entries(values.values),
      ...Object.entries(parsed),
    ]);
  }
  return values.files.length > 0 ? values : undefined;
}

/**
 * Reads the Terraform configuration under `directory`: every `.tf` file,
 * listed and parsed as the content policy does (so it throws the policy's
 * error for what the policy refuses: run it after the policy), and the root
 * module's values files.
 */
export async function readTerraformConfiguration(
  directory: string,
): Promise<TerraformConfiguration> {
  const files = await Promise.all(
    (
      await listTerraformFiles(directory)
    ).map(file => parseFile(directory, file)),
  );
  return buildConfiguration(files, await readVariableValues(directory));
}

/**
 * Reviews the Terraform configuration under `directory` against the rules
 * of KLER's Well-Architected review (see the README's "Review rules"):
 * what `kler:terraform:check` reports before plan. The only I/O of the
 * review is reading the files; the rules are pure.
 */
export async function reviewConfiguration(
  directory: string,
): Promise<ReviewProblem[]> {
  return runReviewRules(
    await readTerraformConfiguration(directory),
    reviewRules,
  );
}
