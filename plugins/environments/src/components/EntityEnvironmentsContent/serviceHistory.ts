import { EntityEnvironmentsResponse } from '@kler/plugin-environments-common';

export interface CapacityPoint {
  /** Epoch milliseconds of the poll. */
  at: number;
  desired: number;
  running: number;
}

/** Enough for two hours at one poll per 30 s. */
const MAX_POINTS = 240;

/**
 * Desired and running counts seen by this browser tab, per environment and
 * service. The backend serves snapshots, not history, so the chart can only show
 * what was polled since the page was opened.
 */
const history = new Map<string, CapacityPoint[]>();

function historyKey(environment: string, serviceName: string): string {
  return `${environment}/${serviceName}`;
}

export function recordCapacity(
  response: EntityEnvironmentsResponse,
  at: number,
): void {
  for (const { summary, services } of response.environments) {
    for (const { service } of services) {
      const key = historyKey(summary.name, service.serviceName);
      const points = history.get(key) ?? [];
      const last = points[points.length - 1];
      if (last && last.at === at) continue;
      points.push({
        at,
        desired: service.desiredCount,
        running: service.runningCount,
      });
      history.set(key, points.slice(-MAX_POINTS));
    }
  }
}

export function getCapacityHistory(
  environment: string,
  serviceName: string,
): CapacityPoint[] {
  return history.get(historyKey(environment, serviceName)) ?? [];
}

/** For tests: forget every recorded point. */
export function clearCapacityHistory(): void {
  history.clear();
}
