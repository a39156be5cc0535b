import { reviewConfiguration } from '../review';
import { checkAwsSchema } from '../schema/checkAwsSchema';
import { TerraformProblem } from './diagnostics';
import {
  checkTerraformPolicy,
  listTerraformFiles,
  parseFile,
  TerraformContentPolicy,
  TerraformPolicyError,
} from './policy';

/**
 * The checks that read a configuration without running Terraform: every AWS
 * name against the provider's schema, and the rules of KLER's
 * Well-Architected review. Run them after the content policy, which they
 * assume (they parse as it does).
 */
export async function checkSchemaAndReview(
  workingDirectory: string,
): Promise<TerraformProblem[]> {
  const parsed = await Promise.all(
    (
      await listTerraformFiles(workingDirectory)
    ).map(file => parseFile(workingDirectory, file)),
  );
  const schemaProblems: TerraformProblem[] = checkAwsSchema(parsed).map(
    problem => ({
      source: 'schema',
      severity: 'error',
      file: problem.file,
      line: problem.line,
      message: `${problem.block}: ${problem.message}`,
    }),
  );
  const reviewProblems: TerraformProblem[] = (
    await reviewConfiguration(workingDirectory)
  ).map(problem => ({
    source: 'review',
    severity: problem.severity,
    file: problem.file,
    line: problem.line,
    rule: problem.rule,
    message: `${problem.resource}: ${problem.message}`,
    fix: problem.fix,
  }));
  return [...schemaProblems, ...reviewProblems];
}

/** A content policy refusal, as problems: each refused block with its file and line. */
export function policyProblems(
  error: TerraformPolicyError,
): TerraformProblem[] {
  return error.violations.map(violation => ({
    source: 'policy',
    severity: 'error',
    file: violation.file,
    line: violation.line,
    message: `${violation.block} ${violation.reason}`,
  }));
}

/**
 * Every check of `kler:terraform:check` that needs no Terraform: the content
 * policy, and when it passes the schema check and the review rules. What the
 * environments repository's pipeline runs (`kler-terraform-check`) before
 * Terraform reads the code.
 */
export async function checkTerraformStatically(
  workingDirectory: string,
  policy: TerraformContentPolicy,
): Promise<TerraformProblem[]> {
  try {
    await checkTerraformPolicy(workingDirectory, policy);
  } catch (error) {
    if (error instanceof TerraformPolicyError) return policyProblems(error);
    throw error;
  }
  return checkSchemaAndReview(workingDirectory);
}
