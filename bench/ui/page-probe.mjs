// What runs inside the page (added with page.addInitScript before the app's
// own scripts): records when the on-call page's matrix and problems are first
// painted, every long main-thread task, and how long a filter keystroke takes
// to reach the screen. Times are performance.now(): ms since navigation start.
export function installProbe() {
  const probe = {
    matrixPaintedAt: undefined,
    problemsPaintedAt: undefined,
    longTasks: [],
    keystrokes: [],
  };
  window.__uiBench = probe;

  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) {
      probe.longTasks.push({
        start: entry.startTime,
        duration: entry.duration,
      });
    }
  }).observe({ type: 'longtask', buffered: true });

  // After the next frame: the rAF callback runs just before the paint, the
  // task it posts just after.
  const afterPaint = record =>
    requestAnimationFrame(() => setTimeout(() => record(performance.now())));

  const check = () => {
    if (
      probe.matrixPaintedAt === undefined &&
      document.querySelector('[data-testid="service-matrix"] [data-service]')
    ) {
      probe.matrixPaintedAt = -1;
      afterPaint(t => (probe.matrixPaintedAt = t));
    }
    if (
      probe.problemsPaintedAt === undefined &&
      document.querySelector('[data-testid="problem-list"] > *')
    ) {
      probe.problemsPaintedAt = -1;
      afterPaint(t => (probe.problemsPaintedAt = t));
    }
  };
  new MutationObserver(check).observe(document, {
    childList: true,
    subtree: true,
  });

  // A keystroke in the filter box: from the key event to the frame after the
  // matrix's row count changed.
  let pending;
  document.addEventListener(
    'keydown',
    event => {
      const header = document.querySelector(
        '[data-testid="service-matrix"] [role="columnheader"]',
      );
      pending = { at: event.timeStamp, before: header?.textContent };
    },
    true,
  );
  new MutationObserver(() => {
    if (!pending) return;
    const header = document.querySelector(
      '[data-testid="service-matrix"] [role="columnheader"]',
    );
    if (header && header.textContent !== pending.before) {
      const { at } = pending;
      pending = undefined;
      afterPaint(t => probe.keystrokes.push(t - at));
    }
  }).observe(document, { childList: true, subtree: true, characterData: true });
}
