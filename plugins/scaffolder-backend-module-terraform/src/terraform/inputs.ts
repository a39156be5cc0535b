import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { JsonValue } from '@backstage/types';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Terraform identifiers: what a variable or backend setting may be called. */
export const TERRAFORM_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Largest accepted value, serialized: a variable, a backend setting. */
export const MAX_VALUE_BYTES = 64 * 1024;
/** Most variables (or backend settings) one action accepts. */
export const MAX_ENTRIES = 200;

const AWS_ACCOUNT_ID = /^\d{12}$/;
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

function byteLength(value: string) {
  return Buffer.byteLength(value, 'utf8');
}

/**
 * Resolves a directory the task names to a real directory inside the
 * workspace. `resolveSafeChildPath` rejects `../` and absolute paths; the
 * realpath check also rejects a symlink (anywhere on the way) that leaves it.
 */
export function resolveWorkspaceDirectory(
  workspacePath: string,
  relativePath: string,
  field: string,
): Promise<string> {
  return resolveWorkspaceEntry(workspacePath, relativePath, field, 'directory');
}

/** Like {@link resolveWorkspaceDirectory}, for a file that must exist. */
export function resolveWorkspaceFile(
  workspacePath: string,
  relativePath: string,
  field: string,
): Promise<string> {
  return resolveWorkspaceEntry(workspacePath, relativePath, field, 'file');
}

async function resolveWorkspaceEntry(
  workspacePath: string,
  relativePath: string,
  field: string,
  kind: 'directory' | 'file',
): Promise<string> {
  const resolved = await resolveWorkspacePath(
    workspacePath,
    relativePath,
    field,
  );
  const stat = await fs.stat(resolved).catch(() => undefined);
  const isKind = kind === 'directory' ? stat?.isDirectory() : stat?.isFile();
  if (!isKind) {
    throw new InputError(
      `${field} '${relativePath}' is not a ${kind} in the workspace`,
    );
  }
  return resolved;
}

async function resolveWorkspacePath(
  workspacePath: string,
  relativePath: string,
  field: string,
): Promise<string> {
  if (typeof relativePath !== 'string' || relativePath.length > 1024) {
    throw new InputError(
      `${field} must be a relative path of at most 1024 characters`,
    );
  }
  if (path.isAbsolute(relativePath) || /[\r\n\0]/.test(relativePath)) {
    throw new InputError(
      `${field} '${relativePath}' must be a path relative to the workspace`,
    );
  }
  let resolved: string;
  try {
    resolved = resolveSafeChildPath(workspacePath, relativePath);
  } catch {
    throw new InputError(
      `${field} '${relativePath}' is outside the task's workspace`,
    );
  }
  const realWorkspace = await fs.realpath(workspacePath);
  const real = await fs.realpath(resolved).catch(() => undefined);
  if (real === undefined) {
    throw new InputError(`${field} '${relativePath}' does not exist`);
  }
  const relative = path.relative(realWorkspace, real);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new InputError(
      `${field} '${relativePath}' leaves the task's workspace through a symlink`,
    );
  }
  return real;
}

/** Checks Terraform input variables; they go to a tfvars file, never argv. */
export function validateVariables(
  vars: Record<string, JsonValue> | undefined,
  sensitiveVars: string[] | undefined,
): Record<string, JsonValue> {
  const checked = vars ?? {};
  if (typeof checked !== 'object' || Array.isArray(checked)) {
    throw new InputError('vars must be a map of variable names to values');
  }
  const names = Object.keys(checked);
  if (names.length > MAX_ENTRIES) {
    throw new InputError(
      `vars has ${names.length} entries; at most ${MAX_ENTRIES} are allowed`,
    );
  }
  for (const name of names) {
    if (!TERRAFORM_IDENTIFIER.test(name)) {
      throw new InputError(
        `vars: '${name.slice(0, 80)}' is not a Terraform variable name`,
      );
    }
    const size = byteLength(JSON.stringify(checked[name]) ?? '');
    if (size > MAX_VALUE_BYTES) {
      throw new InputError(
        `vars.${name} is ${size} bytes; at most ${MAX_VALUE_BYTES} are allowed`,
      );
    }
  }
  for (const name of sensitiveVars ?? []) {
    if (typeof name !== 'string' || !TERRAFORM_IDENTIFIER.test(name)) {
      throw new InputError(
        `sensitiveVars: '${String(name).slice(
          0,
          80,
        )}' is not a Terraform variable name`,
      );
    }
  }
  if ((sensitiveVars ?? []).length > MAX_ENTRIES) {
    throw new InputError(`sensitiveVars has more than ${MAX_ENTRIES} entries`);
  }
  return checked;
}

/**
 * Checks backend settings, which do reach the command line (as
 * `-backend-config=key=value`): no newlines, no leading `-`, bounded size.
 */
export function validateBackendConfig(
  backendConfig: Record<string, string> | undefined,
  field = 'backendConfig',
): Record<string, string> {
  const checked = backendConfig ?? {};
  if (typeof checked !== 'object' || Array.isArray(checked)) {
    throw new InputError(`${field} must be a map of settings to values`);
  }
  const keys = Object.keys(checked);
  if (keys.length > MAX_ENTRIES) {
    throw new InputError(`${field} has more than ${MAX_ENTRIES} entries`);
  }
  for (const key of keys) {
    if (!TERRAFORM_IDENTIFIER.test(key)) {
      throw new InputError(
        `${field}: '${key.slice(0, 80)}' is not a backend setting name`,
      );
    }
    const value = checked[key];
    if (typeof value !== 'string') {
      throw new InputError(`${field}.${key} must be a string`);
    }
    if (byteLength(value) > MAX_VALUE_BYTES) {
      throw new InputError(
        `${field}.${key} is longer than ${MAX_VALUE_BYTES} bytes`,
      );
    }
    if (/[\r\n\0]/.test(value)) {
      throw new InputError(`${field}.${key} must not contain newlines`);
    }
    if (value.startsWith('-')) {
      throw new InputError(`${field}.${key} must not start with '-'`);
    }
  }
  return checked;
}

/** Checks the optional AWS target of a run. */
export function validateAwsTarget(input: {
  awsAccountId?: string;
  awsRegion?: string;
}) {
  if (input.awsAccountId !== undefined && input.awsAccountId !== '') {
    if (!AWS_ACCOUNT_ID.test(input.awsAccountId)) {
      throw new InputError('awsAccountId must be a 12-digit AWS account id');
    }
  }
  if (input.awsRegion !== undefined && input.awsRegion !== '') {
    if (!AWS_REGION.test(input.awsRegion)) {
      throw new InputError(
        `awsRegion '${input.awsRegion.slice(0, 40)}' is not an AWS region`,
      );
    }
  }
}

/** Checks the timeout the task asked for. */
export function validateTimeoutMinutes(value: number | undefined) {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value <= 0 || value > 24 * 60) {
    throw new InputError(
      'timeoutMinutes must be a number of minutes between 0 and 1440',
    );
  }
}
