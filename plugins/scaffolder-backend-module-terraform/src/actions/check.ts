import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import {
  formatProblem,
  parseFmtDiff,
  parseValidateJson,
  TerraformProblem,
} from '../terraform/diagnostics';
import { validateTimeoutMinutes } from '../terraform/inputs';
import { createPlanFiles } from '../terraform/planRecord';
import { TerraformPolicyError } from '../terraform/policy';
import {
  checkSchemaAndReview,
  policyProblems,
} from '../terraform/staticChecks';
import {
  isUnreachableDependencyFailure,
  lastErrorLines,
  TerraformSession,
} from '../terraform/session';
import {
  checkPolicy,
  resolveWorkingDirectory,
  runMasked,
  sessionOptions,
  terraformInputs,
  terraformRuntimeOf,
  TerraformActionsOptions,
} from './common';
import { examples } from './check.examples';

/**
 * `kler:terraform:check`: the content policy, `terraform fmt -check` and
 * `terraform validate`, reporting each problem with its file and line. No
 * AWS credentials; in a dry run no download either.
 *
 * @public
 */
export function createTerraformCheckAction(options: TerraformActionsOptions) {
  const runtime = terraformRuntimeOf(options);
  return createTemplateAction({
    id: 'kler:terraform:check',
    description:
      'Checks a Terraform configuration: the content policy (allowed providers, local modules, no provisioners or program-running data sources), canonical formatting (fmt -check) and validity (init -backend=false, validate). Fails on any error, naming file and line. Never uses AWS credentials; in a dry run, downloads nothing.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        workingDirectory: terraformInputs.workingDirectory(),
        allowUnavailableProviders: terraformInputs.allowUnavailableProviders(
          'When providers cannot be downloaded (no registry access), report validation as skipped instead of failing; formatting is still checked',
        ),
        timeoutMinutes: terraformInputs.timeoutMinutes(),
      },
      output: {
        passed: z => z.boolean({ description: 'No errors were found' }),
        problems: z =>
          z.array(
            z.object({
              source: z.enum([
                'policy',
                'schema',
                'review',
                'fmt',
                'validate',
                'init',
              ]),
              rule: z.string().optional(),
              fix: z.string().optional(),
              severity: z.enum(['error', 'warning']),
              file: z.string().optional(),
              line: z.number().optional(),
              message: z.string(),
            }),
            { description: 'Every problem found, with file and line' },
          ),
        validateSkipped: z =>
          z
            .string({
              description: 'Why validation did not run; empty when it ran',
            })
            .optional(),
      },
    },
    async handler(rawCtx) {
      await runMasked(rawCtx, async (ctx, masker) => {
        validateTimeoutMinutes(ctx.input.timeoutMinutes);
        const workingDirectory = await resolveWorkingDirectory(ctx);
        try {
          await checkPolicy(runtime, workingDirectory, ctx.logger);
        } catch (error) {
          if (error instanceof TerraformPolicyError) {
            reportPolicyViolations(ctx, error);
          }
          throw error;
        }
        // Static proof, before Terraform runs: every AWS name against the
        // provider's schema, and the rules of KLER's Well-Architected review.
        const staticProblems = await checkSchemaAndReview(workingDirectory);
        const files = await createPlanFiles(ctx.workspacePath, 'check-');
        try {
          await TerraformSession.use(
            sessionOptions(runtime, {
              logger: ctx.logger,
              masker,
              signal: ctx.signal,
              workingDirectory,
              dataDirectory: files.dataDirectory,
              download: !ctx.isDryRun,
              timeoutMinutes: ctx.input.timeoutMinutes,
            }),
            session => check(session, ctx, staticProblems),
          );
        } finally {
          // Its providers and modules are of no use later, and a dry run
          // returns the workspace's files.
          await fs.rm(files.directory, { recursive: true, force: true });
        }
      });
    },
  });
}

async function check(
  session: TerraformSession,
  ctx: {
    isDryRun?: boolean;
    input: { allowUnavailableProviders?: boolean };
    logger: {
      info(m: string): void;
      warn(m: string): void;
      error(m: string): void;
    };
    output(name: string, value: unknown): void;
  },
  staticProblems: TerraformProblem[],
) {
  const problems: TerraformProblem[] = [...staticProblems];
  const fmt = await session.run([
    'fmt',
    '-check',
    '-recursive',
    '-diff',
    '-no-color',
  ]);
  if (fmt.exitCode !== 0) {
    const fmtProblems = parseFmtDiff(fmt.stdout);
    problems.push(
      ...(fmtProblems.length > 0
        ? fmtProblems
        : [
            {
              source: 'fmt' as const,
              severity: 'error' as const,
              message: lastErrorLines(fmt.stderr),
            },
          ]),
    );
  }

  let validateSkipped = '';
  const init = await session.run([
    'init',
    '-backend=false',
    '-input=false',
    '-no-color',
  ]);
  const unavailable =
    init.exitCode !== 0 && isUnreachableDependencyFailure(init.stderr);
  if (unavailable && (ctx.isDryRun || ctx.input.allowUnavailableProviders)) {
    validateSkipped = `${
      ctx.isDryRun
        ? 'dry run: providers and modules are not downloaded in a dry run'
        : 'providers unavailable'
    }: ${lastErrorLines(init.stderr)}`;
    ctx.logger.warn(`Validation skipped: ${validateSkipped}`);
  } else {
    // Validate even when init failed: it still reports syntax errors with
    // file and line, which init only prints as text.
    const validate = await session.run(['validate', '-json', '-no-color'], {
      logStdout: false,
    });
    const diagnostics = parseValidateJson(validate.stdout);
    problems.push(...diagnostics);
    if (init.exitCode !== 0 && diagnostics.length === 0) {
      problems.push({
        source: 'init',
        severity: 'error',
        message: lastErrorLines(init.stderr),
      });
    }
  }

  for (const problem of problems) {
    const line = formatProblem(problem);
    if (problem.severity === 'error') ctx.logger.error(line);
    else ctx.logger.warn(line);
  }
  const errors = problems.filter(problem => problem.severity === 'error');
  ctx.output('passed', errors.length === 0);
  ctx.output('problems', problems);
  ctx.output('validateSkipped', validateSkipped);
  if (errors.length > 0) {
    throw new Error(
      `Terraform check found ${errors.length} error(s): ${errors
        .map(formatProblem)
        .join('; ')}`,
    );
  }
  ctx.logger.info(
    validateSkipped
      ? 'Formatting is canonical; validation was skipped'
      : 'Formatting is canonical and the configuration is valid',
  );
}

/** Policy refusals as the check's problems: Terraform never ran. */
function reportPolicyViolations(
  ctx: {
    logger: { error(m: string): void };
    output(name: string, value: unknown): void;
  },
  error: TerraformPolicyError,
) {
  const problems = policyProblems(error);
  for (const problem of problems) ctx.logger.error(formatProblem(problem));
  ctx.output('passed', false);
  ctx.output('problems', problems);
  ctx.output('validateSkipped', 'the configuration was refused before init');
}
