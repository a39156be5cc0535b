import { InputError } from '@backstage/errors';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ProvisioningTarget } from '../provisioning/targets';
import { sha256OfFile } from './files';
import { resolveWorkspaceDirectory, resolveWorkspaceFile } from './inputs';

/** Folder at the workspace root for plans and Terraform's own files, apart from the configuration. */
export const PLAN_DIRECTORY = '.kler-terraform';

const PLAN_FILE = 'plan.tfplan';
const RECORD_FILE = 'plan.json';
const DATA_DIRECTORY = 'terraform-data';
const SHA256 = /^[0-9a-f]{64}$/;
const PLAN_ID = /^[0-9a-f-]{36}$/;

/** What `kler:terraform:plan` records beside a saved plan for apply and output. */
export interface PlanRecord {
  target: ProvisioningTarget;
  /** The configuration's directory, relative to the workspace. */
  workingDirectory: string;
}

/** Where one plan's files live. */
export interface PlanFiles {
  directory: string;
  planFile: string;
  /** TF_DATA_DIR of the plan's runs: providers, modules and backend settings. */
  dataDirectory: string;
}

function filesOf(directory: string): PlanFiles {
  return {
    directory,
    planFile: path.join(directory, PLAN_FILE),
    dataDirectory: path.join(directory, DATA_DIRECTORY),
  };
}

/**
 * A new folder for one plan, `.kler-terraform/<random id>/`. Its name is not
 * known before the plan runs, and creating it fails if it exists, so no file
 * of the configuration can be waiting there (such as provider binaries for
 * Terraform's data directory).
 */
export async function createPlanFiles(
  workspacePath: string,
  prefix = '',
): Promise<PlanFiles> {
  const root = path.join(workspacePath, PLAN_DIRECTORY);
  await fs.mkdir(root, { recursive: true, mode: 0o700 });
  const directory = path.join(root, `${prefix}${randomUUID()}`);
  await fs.mkdir(directory, { mode: 0o700 });
  return filesOf(directory);
}

export async function writePlanRecord(files: PlanFiles, record: PlanRecord) {
  await fs.writeFile(
    path.join(files.directory, RECORD_FILE),
    JSON.stringify(record, null, 2),
    { mode: 0o600 },
  );
}

/**
 * Finds the plan that `kler:terraform:plan` saved in this workspace: the file
 * must be a plan file in a plan folder of `.kler-terraform/`, its sha256 must
 * be the one the plan step output, and its record must be there.
 */
export async function readPlan(
  workspacePath: string,
  planFileInput: string,
  planSha256: string,
): Promise<{ files: PlanFiles; record: PlanRecord; workingDirectory: string }> {
  if (!SHA256.test(planSha256)) {
    throw new InputError('planSha256 must be a sha256 in hex');
  }
  const planFile = await resolveWorkspaceFile(
    workspacePath,
    planFileInput,
    'planFile',
  );
  const root = await resolveWorkspaceDirectory(
    workspacePath,
    PLAN_DIRECTORY,
    'planFile',
  );
  const directory = path.dirname(planFile);
  if (
    path.dirname(directory) !== root ||
    !PLAN_ID.test(path.basename(directory)) ||
    path.basename(planFile) !== PLAN_FILE
  ) {
    throw new InputError(
      `planFile '${planFileInput}' was not saved by kler:terraform:plan`,
    );
  }
  if ((await sha256OfFile(planFile)) !== planSha256) {
    throw new InputError(
      `planFile '${planFileInput}' does not match planSha256: it is not the plan kler:terraform:plan produced in this task`,
    );
  }
  const files = filesOf(directory);
  let record: PlanRecord;
  try {
    record = JSON.parse(
      await fs.readFile(path.join(directory, RECORD_FILE), 'utf8'),
    );
  } catch {
    throw new InputError(
      `planFile '${planFileInput}' has no record of where it was planned; plan again`,
    );
  }
  const workingDirectory = await resolveWorkspaceDirectory(
    workspacePath,
    record.workingDirectory,
    'workingDirectory of the plan',
  );
  return { files, record, workingDirectory };
}
