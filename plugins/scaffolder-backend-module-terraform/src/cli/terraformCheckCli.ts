import { ConfigReader } from '@backstage/config';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readTerraformConfig } from '../terraform/config';
import { TerraformProblem } from '../terraform/diagnostics';
import { checkTerraformStatically } from '../terraform/staticChecks';

/** Where the command writes, and the directory it resolves paths from. */
export interface TerraformCheckCliIo {
  cwd: string;
  stdout(line: string): void;
  stderr(line: string): void;
}

const USAGE = `Usage: kler-terraform-check [options] <directory>...

Checks Terraform root modules as kler:terraform:check does before Terraform
runs: the content policy, every AWS name against the provider's schema, and
KLER's Well-Architected review rules. Prints each problem with file and line;
exits 1 when there is an error, 2 when the command could not run.

Options:
  --allowed-provider <source>       kler.terraform.allowedProviders (repeat; default hashicorp/aws)
  --allowed-module-source <prefix>  kler.terraform.allowedModuleSources (repeat; default none)
  --allowed-backend <type>          kler.terraform.allowedBackends (repeat; default s3)
  --format text|github              github: workflow commands, shown on the pull request's lines
  --help`;

/** GitHub's workflow command escaping, for the message and for a property. */
function escapeData(value: string) {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(value: string) {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function describe(problem: TerraformProblem) {
  const kind = problem.rule
    ? `${problem.source} ${problem.rule}`
    : problem.source;
  const fix = problem.fix ? ` Fix: ${problem.fix}` : '';
  return { kind, text: `${problem.message}${fix}` };
}

function formatText(problem: TerraformProblem, file: string) {
  const where = `${file}${problem.line ? `:${problem.line}` : ''}`;
  const { kind, text } = describe(problem);
  return `${where}: ${problem.severity}: [${kind}] ${text}`;
}

function formatGithub(problem: TerraformProblem, file: string) {
  const { kind, text } = describe(problem);
  const properties = [
    `file=${escapeProperty(file)}`,
    ...(problem.line ? [`line=${problem.line}`] : []),
    `title=${escapeProperty(kind)}`,
  ];
  return `::${problem.severity} ${properties.join(',')}::${escapeData(text)}`;
}

/**
 * `kler-terraform-check`: the static checks of `kler:terraform:check` (no
 * Terraform, no credentials, no network) for the environments repository's
 * pipeline. Returns the exit code.
 */
export async function runTerraformCheckCli(
  argv: string[],
  io: TerraformCheckCliIo,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'allowed-provider': { type: 'string', multiple: true },
        'allowed-module-source': { type: 'string', multiple: true },
        'allowed-backend': { type: 'string', multiple: true },
        format: { type: 'string', default: 'text' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    io.stderr(`kler-terraform-check: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (
    positionals.length === 0 ||
    !['text', 'github'].includes(values.format!)
  ) {
    io.stderr(
      positionals.length === 0
        ? `kler-terraform-check: name a directory to check\n${USAGE}`
        : `kler-terraform-check: --format is text or github\n${USAGE}`,
    );
    return 2;
  }
  // The portal's own reading of kler.terraform gives the defaults.
  const { policy } = readTerraformConfig(
    new ConfigReader({
      kler: {
        terraform: {
          ...(values['allowed-provider'] && {
            allowedProviders: values['allowed-provider'],
          }),
          ...(values['allowed-module-source'] && {
            allowedModuleSources: values['allowed-module-source'],
          }),
          ...(values['allowed-backend'] && {
            allowedBackends: values['allowed-backend'],
          }),
        },
      },
    }),
  );
  const format = values.format === 'github' ? formatGithub : formatText;

  let errors = 0;
  for (const directory of positionals) {
    const absolute = path.resolve(io.cwd, directory);
    const stat = await fs.stat(absolute).catch(() => undefined);
    if (!stat?.isDirectory()) {
      io.stderr(`kler-terraform-check: ${directory} is not a directory`);
      return 2;
    }
    const problems = await checkTerraformStatically(absolute, policy);
    for (const problem of problems) {
      const file = path.join(directory, problem.file ?? '.');
      io.stdout(format(problem, file));
    }
    const count = (severity: string) =>
      problems.filter(problem => problem.severity === severity).length;
    errors += count('error');
    io.stdout(
      `${directory}: ${count('error')} error(s), ${count(
        'warning',
      )} warning(s) (content policy, AWS schema, review rules)`,
    );
  }
  return errors > 0 ? 1 : 0;
}
