import { InputError } from '@backstage/errors';
import type { ParsedFile } from './files';
import { lineOf } from './hcl';
import { PolicyViolation } from './types';

/** Thrown when a configuration breaks the policy; names every refused block. */
export class TerraformPolicyError extends InputError {
  constructor(readonly violations: PolicyViolation[]) {
    super(
      `The Terraform configuration was refused before init: ${violations
        .map(describeViolation)
        .join('; ')}`,
    );
  }
}

export function describeViolation(violation: PolicyViolation) {
  const where = violation.line
    ? `${violation.file}:${violation.line}`
    : violation.file;
  return `${where}: ${violation.block} ${violation.reason}`;
}

/**
 * The refusal of a block of a parsed file, at the line of its header (or of
 * an exact text) when it can be found.
 */
export function refusal(
  parsed: ParsedFile,
  block: string,
  header: RegExp | string,
  reason: string,
): PolicyViolation {
  return {
    file: parsed.file,
    line: lineOf(parsed.text, header),
    block,
    reason,
  };
}
