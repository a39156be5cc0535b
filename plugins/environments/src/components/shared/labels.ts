import {
  EnvironmentArea,
  EnvironmentSummary,
  ProblemSeverity,
} from '@kler/plugin-environments-common';

export const AREA_LABELS: Record<EnvironmentArea, string> = {
  health: 'Health',
  scaling: 'Scaling',
  backup: 'Backup',
  wellArchitected: 'Well-Architected',
  workload: 'Workload',
  provisioning: 'Provisioning',
};

export const SEVERITY_LABELS: Record<ProblemSeverity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

/** Production first, then by name, so columns and cards keep their place between refreshes. */
export function compareEnvironments(
  a: Pick<EnvironmentSummary, 'name' | 'tier'>,
  b: Pick<EnvironmentSummary, 'name' | 'tier'>,
): number {
  if (a.tier !== b.tier) {
    return a.tier === 'production' ? -1 : 1;
  }
  return a.name.localeCompare(b.name);
}

export function environmentTitle(
  summary: Pick<EnvironmentSummary, 'name' | 'title'>,
): string {
  return summary.title ?? summary.name;
}

export function formatDateTime(iso?: string): string {
  if (!iso) return '-';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
