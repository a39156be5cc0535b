/**
 * Listing and parsing the `.tf` files of a configuration, within bounds:
 * symlinks, JSON syntax and files that are not regular are refused before
 * anything is read, and the number and size of files are limited.
 */
import { InputError } from '@backstage/errors';
import { parse } from '@cdktf/hcl2json';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PLAN_DIRECTORY } from '../planRecord';
import { Body } from './hcl';
import { TerraformPolicyError } from './violations';

/**
 * The actions' own folder (plans, Terraform's data directory), at the top of a
 * configuration that is the workspace root: not read, so no path of the
 * configuration may go into it. Everything else is read, `.terraform` and
 * `.git` too: Terraform's data directory is never inside the configuration
 * (TF_DATA_DIR), so whatever is there came with the configuration.
 */
export const SKIPPED_DIRECTORY = PLAN_DIRECTORY;

/** Most `.tf` files a configuration may have: a bound on the work of the check. */
const MAX_FILES = 500;
/** Largest `.tf` file read. */
export const MAX_FILE_BYTES = 1024 * 1024;

export interface ParsedFile {
  /** Relative to the checked directory. */
  file: string;
  /** The module directory, absolute. */
  directory: string;
  text: string;
  body: Body;
}

export async function listTerraformFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  const refuse = (file: string, block: string, reason: string) =>
    new TerraformPolicyError([{ file, block, reason }]);
  const walk = async (directory: string) => {
    for (const entry of await fs.readdir(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      const relative = path.relative(root, full);
      if (entry.isSymbolicLink()) {
        throw refuse(
          relative,
          'symlink',
          'is refused: a configuration may not link to files outside it',
        );
      }
      if (entry.isDirectory()) {
        if (!(directory === root && entry.name === SKIPPED_DIRECTORY)) {
          await walk(full);
        }
        continue;
      }
      // OpenTofu also reads .tofu files, in place of the .tf of the same name.
      if (/\.(tf|tofu)\.json$/.test(entry.name)) {
        throw refuse(
          relative,
          'file',
          'is refused: only HCL (.tf) configuration is accepted, not JSON syntax',
        );
      }
      if (/\.(tf|tofu)$/.test(entry.name)) {
        if (!entry.isFile()) {
          throw refuse(relative, 'file', 'is refused: not a regular file');
        }
        files.push(full);
        if (files.length > MAX_FILES) {
          throw new InputError(
            `The Terraform configuration has more than ${MAX_FILES} .tf files`,
          );
        }
      }
    }
  };
  await walk(root);
  return files.sort();
}

export async function parseFile(
  root: string,
  file: string,
): Promise<ParsedFile> {
  const relative = path.relative(root, file);
  const stat = await fs.stat(file);
  if (stat.size > MAX_FILE_BYTES) {
    throw new InputError(
      `${relative} is ${stat.size} bytes; at most ${MAX_FILE_BYTES} are accepted`,
    );
  }
  const text = await fs.readFile(file, 'utf8');
  let body: Body;
  try {
    body = (await parse(relative, text)) as Body;
  } catch (error) {
    // e.g. "parse config: [main.tf:3,5-10: Argument or block definition required; ...]"
    const message = String((error as Error).message)
      .replace(/^parse config: \[?/, '')
      .replace(/\]$/, '');
    const at = /^[^:]+:(\d+),\d+(?:-\d+(?:,\d+)?)?: /.exec(message);
    throw new TerraformPolicyError([
      {
        file: relative,
        line: at ? Number(at[1]) : undefined,
        block: 'the file',
        reason: `is not valid HCL: ${message
          .slice(at ? at[0].length : 0)
          .slice(0, 300)}`,
      },
    ]);
  }
  return { file: relative, directory: path.dirname(file), text, body };
}
