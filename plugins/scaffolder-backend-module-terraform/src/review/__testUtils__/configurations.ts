import { parse } from '@cdktf/hcl2json';
import {
  HclBody,
  TerraformConfiguration,
  buildConfiguration,
} from '../configuration';
import { ReviewProblem, ReviewRule, runReviewRules } from '../reviewRule';

/**
 * A configuration from HCL texts by file (`main.tf`, `modules/efs/main.tf`)
 * and, optionally, the values of its terraform.tfvars.json: the files are
 * parsed with hcl2json as the review reads them from disk.
 */
export async function configurationOf(
  files: Record<string, string>,
  values?: Record<string, unknown>,
): Promise<TerraformConfiguration> {
  const parsed = await Promise.all(
    Object.entries(files).map(async ([file, text]) => ({
      file,
      text,
      body: (await parse(file, text)) as HclBody,
    })),
  );
  return buildConfiguration(
    parsed,
    values && {
      files: [
        {
          file: 'terraform.tfvars.json',
          text: JSON.stringify(values, null, 2),
        },
      ],
      values,
    },
  );
}

/** The problems one rule finds in a configuration given as in {@link configurationOf}. */
export async function reviewWith(
  rule: ReviewRule,
  files: Record<string, string>,
  values?: Record<string, unknown>,
): Promise<ReviewProblem[]> {
  return runReviewRules(await configurationOf(files, values), [rule]);
}
