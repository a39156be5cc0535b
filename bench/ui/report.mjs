// The table `yarn bench:ui` prints, with the floors of issue 16.

const PAINT_RATIO_FLOOR = 3;
const LONGEST_TASK_FLOOR_MS = 200;
const KEYSTROKE_FLOOR_MS = 100;

const ms = value => (Number.isFinite(value) ? `${value.toFixed(0)} ms` : 'n/a');
const verdict = ok => (ok ? 'PASS' : 'FAIL');

export function formatReport({ results, runs, keystrokes, started, cpuCount }) {
  const small = results[0];
  const large = results[results.length - 1];
  const ratio = key => large.median[key] / small.median[key];
  const rows = [
    [
      'navigation → matrix painted',
      ms(small.median.matrixMs),
      ms(large.median.matrixMs),
      `${ratio('matrixMs').toFixed(2)}×`,
      `≤ ${PAINT_RATIO_FLOOR}× the ${small.size}-service page`,
      verdict(ratio('matrixMs') <= PAINT_RATIO_FLOOR),
    ],
    [
      'navigation → problems painted',
      ms(small.median.problemsMs),
      ms(large.median.problemsMs),
      `${ratio('problemsMs').toFixed(2)}×`,
      `≤ ${PAINT_RATIO_FLOOR}× the ${small.size}-service page`,
      verdict(ratio('problemsMs') <= PAINT_RATIO_FLOOR),
    ],
    [
      'longest main-thread task of the page',
      ms(small.median.longestPageTaskMs),
      ms(large.median.longestPageTaskMs),
      `${ratio('longestPageTaskMs').toFixed(2)}×`,
      `≤ ${LONGEST_TASK_FLOOR_MS} ms`,
      verdict(large.median.longestPageTaskMs <= LONGEST_TASK_FLOOR_MS),
    ],
    [
      '… of the whole load, with the app’s start',
      ms(small.median.longestTaskMs),
      ms(large.median.longestTaskMs),
      `${ratio('longestTaskMs').toFixed(2)}×`,
      'printed: the app’s start is the same at any size',
      '',
    ],
    [
      'filter keystroke → repaint',
      ms(small.median.keystrokeMs),
      ms(large.median.keystrokeMs),
      `${ratio('keystrokeMs').toFixed(2)}×`,
      `< ${KEYSTROKE_FLOOR_MS} ms`,
      verdict(large.median.keystrokeMs < KEYSTROKE_FLOOR_MS),
    ],
  ];
  const header = [
    'measure (median)',
    `${small.size} × 2`,
    `${large.size} × 2`,
    'ratio',
    'floor',
    '',
  ];
  const lines = [
    `# bench:ui: the on-call page in Chromium`,
    '',
    `${started.toISOString()}: ${runs} page loads per size after one warm-up (${keystrokes} keystrokes each), Chromium headless 1440×900, the built app served by the portal backend on the sandbox's generated world (5 tasks per service, clock frozen), ${cpuCount} CPUs.`,
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map(r => `| ${r.join(' | ')} |`),
    '',
    ...results.map(
      r =>
        `- ${r.size} × 2: details per environment ${r.detailsBytes
          .map(b => `${(b / 1e6).toFixed(2)} MB`)
          .join(' + ')}; load average ${r.load
          .map(l => l.toFixed(2))
          .join(
            ' → ',
          )} over the runs; CPU-seconds over the ${runs} runs: backend ${r.cpu.backend.toFixed(
          1,
        )}, sandbox ${r.cpu.sandbox.toFixed(1)}; per run: ${r.runs
          .map(
            run =>
              `${run.matrixMs.toFixed(0)}/${run.problemsMs.toFixed(
                0,
              )}/${run.longestPageTaskMs.toFixed(
                0,
              )}/${run.longestTaskMs.toFixed(0)}/${run.keystrokeMs.toFixed(0)}`,
          )
          .join(
            ', ',
          )} ms (matrix/problems/page's longest task/load's longest task/keystroke)`,
    ),
  ];
  return lines.join('\n');
}
