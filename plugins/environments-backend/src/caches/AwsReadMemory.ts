/**
 * The configuration parts of an environment's read: what changes rarely and
 * is read again only when it is due (`environments.refresh.configurationFrequency`)
 * or when a cheap signal of the health read says it changed. The README's
 * "Read cadence" table lists each with its calls and its signal.
 */
export type ConfigurationPart =
  | 'serviceArns'
  | 'backupSelections'
  | 'runningTaskArns'
  | 'scalableTargets'
  | 'scalingPolicies'
  | 'capacityProviders'
  | 'targetGroupLoadBalancers'
  | 'alarms'
  | 'backupPlans'
  | 'backupCandidates'
  | 'backupVault'
  | 'wellArchitected'
  | 'secretParameters'
  | 'secretsManagerSecrets'
  | 'fileSystems';

/**
 * Descriptions of things that do not change once described: tasks by ARN
 * (a stopped task for good; a running one until it stops), backup plans by
 * id and version, backup selections by id, the targets of an unhealthy
 * target group while its counts stay the same, task definitions by ARN
 * while a deployment uses them, and ECR image scans by repository and digest
 * while a task runs the digest (read again once older than the configuration
 * period: a rescan changes them).
 */
export type DescriptionKind =
  | 'tasks'
  | 'taskDefinitions'
  | 'imageScans'
  | 'backupPlanVersions'
  | 'backupSelections'
  | 'targetHealth';

export interface AwsReadMemoryOptions {
  /** Switch `awsConfiguration`: reuse configuration parts between refreshes. */
  configuration: boolean;
  /** Switch `awsDescriptions`: reuse descriptions by identity. */
  descriptions: boolean;
  /** How long a configuration part is reused at most. */
  configurationMaxAgeMs: number;
  now?: () => number;
}

/** Descriptions of one kind, by identity (an ARN, an id and version). */
export class Descriptions<T> {
  private readonly byKey = new Map<string, T>();

  constructor(private readonly enabled: boolean) {}

  get(key: string): T | undefined {
    return this.byKey.get(key);
  }

  set(key: string, value: T): void {
    if (this.enabled) {
      this.byKey.set(key, value);
    }
  }

  /** Forgets every description but those of `keys` (what the last listing still holds). */
  retainOnly(keys: Iterable<string>): void {
    const kept = new Set(keys);
    for (const key of this.byKey.keys()) {
      if (!kept.has(key)) {
        this.byKey.delete(key);
      }
    }
  }

  get size(): number {
    return this.byKey.size;
  }
}

/**
 * What earlier reads of one environment left that a later read may reuse
 * (switches `awsConfiguration` and `awsDescriptions`).
 *
 * Key: the environment's definition (endpoint, account, region, cluster,
 * vault, workload): a changed definition starts from nothing.
 * Lifetime: a configuration part until it is due again (its age reaches the
 * configuration period) or a signal of the health read says it changed; a
 * description while the listing that found it still holds it.
 * Why it is correct: configuration parts are read again within the period,
 * and sooner on every signal AWS gives cheaply (see the README); descriptions
 * are of things that do not change under their identity. This replica keeps
 * it in memory: another replica that takes the refresh over reads everything
 * once, but for the task definitions, which `SharedDescriptions` shares by
 * ARN through the plugin's cache.
 */
export class AwsReadMemory {
  private readonly parts = new Map<
    ConfigurationPart,
    { value: unknown; readAt: number }
  >();
  private readonly descriptionsByKind = new Map<
    DescriptionKind,
    Descriptions<unknown>
  >();

  constructor(private readonly options: AwsReadMemoryOptions) {}

  /** The part's value while it is younger than the configuration period. */
  fresh<T>(part: ConfigurationPart): T | undefined {
    const known = this.parts.get(part);
    if (
      !this.options.configuration ||
      !known ||
      this.now() - known.readAt >= this.options.configurationMaxAgeMs
    ) {
      return undefined;
    }
    return known.value as T;
  }

  /** The part's last value however old, and when it was read. */
  last<T>(part: ConfigurationPart): { value: T; readAt: number } | undefined {
    const known = this.parts.get(part);
    return known && this.options.configuration
      ? { value: known.value as T, readAt: known.readAt }
      : undefined;
  }

  remember<T>(part: ConfigurationPart, value: T, readAt = this.now()): void {
    this.parts.set(part, { value, readAt });
  }

  forget(part: ConfigurationPart): void {
    this.parts.delete(part);
  }

  /**
   * The part from memory while it is fresh and `changed` is false; otherwise
   * read, and remembered when the read gives a whole value: a failed read
   * (undefined) or one that `keep` refuses is read again next time.
   */
  async reuseOrRead<T>(
    part: ConfigurationPart,
    read: () => Promise<T | undefined>,
    options: { changed?: boolean; keep?: (value: T) => boolean } = {},
  ): Promise<T | undefined> {
    const fresh = options.changed ? undefined : this.fresh<T>(part);
    if (fresh !== undefined) {
      return fresh;
    }
    const readAt = this.now();
    const value = await read();
    if (value === undefined || (options.keep && !options.keep(value))) {
      this.forget(part);
    } else {
      this.remember(part, value, readAt);
    }
    return value;
  }

  descriptions<T>(kind: DescriptionKind): Descriptions<T> {
    let descriptions = this.descriptionsByKind.get(kind);
    if (!descriptions) {
      descriptions = new Descriptions<unknown>(this.options.descriptions);
      this.descriptionsByKind.set(kind, descriptions);
    }
    return descriptions as Descriptions<T>;
  }

  now(): number {
    return this.options.now?.() ?? Date.now();
  }
}
