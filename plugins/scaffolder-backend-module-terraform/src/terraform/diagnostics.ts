/** One problem `kler:terraform:check` found, with where it is. */
export interface TerraformProblem {
  /** The review rule that found it, for `source: review`. */
  rule?: string;
  /** What to change, when the check knows. */
  fix?: string;
  source: 'policy' | 'schema' | 'review' | 'fmt' | 'validate' | 'init';
  severity: 'error' | 'warning';
  file?: string;
  line?: number;
  message: string;
}

/**
 * Reads the output of `terraform fmt -check -recursive -diff`: each badly
 * formatted file, with the first line whose formatting differs.
 */
export function parseFmtDiff(stdout: string): TerraformProblem[] {
  const problems: TerraformProblem[] = [];
  let current: TerraformProblem | undefined;
  for (const line of stdout.split('\n')) {
    const file = /^\+\+\+ new\/(.+)$/.exec(line);
    if (file) {
      current = {
        source: 'fmt',
        severity: 'error',
        file: file[1],
        message: 'not formatted canonically (run terraform fmt)',
      };
      problems.push(current);
      continue;
    }
    const hunk = /^@@ -(\d+)/.exec(line);
    if (hunk && current && current.line === undefined) {
      current.line = Number(hunk[1]);
    }
  }
  return problems;
}

interface ValidateDiagnostic {
  severity?: string;
  summary?: string;
  detail?: string;
  range?: { filename?: string; start?: { line?: number } };
}

/** Reads the diagnostics of `terraform validate -json`. */
export function parseValidateJson(stdout: string): TerraformProblem[] {
  let parsed: { diagnostics?: ValidateDiagnostic[] };
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return [];
  }
  return (parsed.diagnostics ?? []).map(diagnostic => ({
    source: 'validate' as const,
    severity: diagnostic.severity === 'warning' ? 'warning' : 'error',
    ...(diagnostic.range?.filename && { file: diagnostic.range.filename }),
    ...(diagnostic.range?.start?.line && {
      line: diagnostic.range.start.line,
    }),
    message: [diagnostic.summary, diagnostic.detail].filter(Boolean).join(': '),
  }));
}

/** `[review error] modules/efs/main.tf:44: (efs-policy-denies-mounts) ... Fix: ...` */
export function formatProblem(problem: TerraformProblem): string {
  const where = problem.file
    ? `${problem.file}${problem.line ? `:${problem.line}` : ''}: `
    : '';
  const rule = problem.rule ? `(${problem.rule}) ` : '';
  const fix = problem.fix ? ` Fix: ${problem.fix}` : '';
  return `[${problem.source} ${problem.severity}] ${where}${rule}${problem.message}${fix}`;
}
