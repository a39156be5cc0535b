// Collects one row per drill (what was injected, what was expected, what
// happened) and renders them as the Markdown table printed at the end of a run.

const cell = text =>
  String(text ?? '')
    .replace(/\s+/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();

export function createReport() {
  const rows = [];
  return {
    rows,
    /**
     * Runs one drill. `check` asserts and returns what it observed; a thrown
     * assertion becomes the FAIL row's observation and is rethrown, so that the
     * test fails too.
     */
    async drill({ drill, injected, expected }, check) {
      const started = Date.now();
      try {
        const observed = await check();
        rows.push({
          drill,
          injected,
          expected,
          observed,
          result: 'PASS',
          ms: Date.now() - started,
        });
      } catch (error) {
        const observed = String(error?.message ?? error)
          .split('\n')
          .filter(line => line.trim())
          .slice(0, 3)
          .join(' ')
          .slice(0, 300);
        rows.push({
          drill,
          injected,
          expected,
          observed,
          result: 'FAIL',
          ms: Date.now() - started,
        });
        throw error;
      }
    },
    /**
     * Runs the setup of a group of drills; when it fails, the table says so
     * (its drills cannot run) and the error is rethrown.
     */
    async setup(group, fn) {
      const started = Date.now();
      try {
        return await fn();
      } catch (error) {
        rows.push({
          drill: `${group} (setup)`,
          injected: '-',
          expected: 'the drills of this group can run',
          observed: String(error?.message ?? error)
            .split('\n')
            .slice(0, 3)
            .join(' ')
            .slice(0, 300),
          result: 'FAIL',
          ms: Date.now() - started,
        });
        throw error;
      }
    },
    toMarkdown() {
      const lines = [
        '| Drill | Injected | Expected | Observed | Result |',
        '| --- | --- | --- | --- | --- |',
        ...rows.map(
          r =>
            `| ${cell(r.drill)} | ${cell(r.injected)} | ${cell(
              r.expected,
            )} | ${cell(r.observed)} (${(r.ms / 1000).toFixed(1)} s) | ${
              r.result
            } |`,
        ),
      ];
      const failed = rows.filter(r => r.result === 'FAIL').length;
      lines.push(
        '',
        `${rows.length - failed} of ${rows.length} drills passed.`,
      );
      return lines.join('\n');
    },
  };
}
