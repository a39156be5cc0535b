import {
  BackupCandidate,
  BackupJob,
  BackupState,
  backupPlanSelects,
} from '@kler/plugin-environments-common';

export interface BackupCoverageRow {
  resourceArn: string;
  resourceName: string;
  resourceType: string;
  /** Names of the backup plans whose selections include the resource. */
  planNames: string[];
  lastBackupTime?: string;
  /** The newest backup job of the resource in the last 7 days. */
  latestJob?: BackupJob;
}

/**
 * Lines up what the snapshot says about each resource that must be backed up;
 * whether that is a problem is decided by the rules in -common.
 */
export function backupCoverageRows(backup: BackupState): BackupCoverageRow[] {
  const candidates: BackupCandidate[] = [...backup.candidates];
  for (const protectedResource of backup.protectedResources) {
    if (
      !candidates.some(c => c.resourceArn === protectedResource.resourceArn)
    ) {
      candidates.push(protectedResource);
    }
  }
  return candidates.map(candidate => {
    const protectedResource = backup.protectedResources.find(
      p => p.resourceArn === candidate.resourceArn,
    );
    const latestJob = backup.jobs
      .filter(job => job.resourceArn === candidate.resourceArn)
      .sort((a, b) => b.creationDate.localeCompare(a.creationDate))[0];
    return {
      resourceArn: candidate.resourceArn,
      resourceName:
        candidate.resourceName ??
        candidate.resourceArn.split(/[:/]/).pop() ??
        candidate.resourceArn,
      resourceType: candidate.resourceType,
      planNames: backup.plans
        .filter(plan => backupPlanSelects(plan, candidate))
        .map(plan => plan.backupPlanName),
      lastBackupTime:
        protectedResource?.latestRecoveryPointAt ??
        protectedResource?.lastBackupTime,
      latestJob,
    };
  });
}
