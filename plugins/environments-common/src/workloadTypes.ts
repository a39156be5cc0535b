/*
 * What runs where: the task definitions in use by each service, read once per
 * ARN (a task definition never changes), reduced to what a reviewer compares
 * between environments. Values of environment variables are never kept: only
 * their names.
 */

/** An image reference, as a task definition names it and as tasks run it. */
export interface ContainerImageRef {
  /** The reference as written in the task definition. */
  image: string;
  /** Registry host, `docker.io` when the reference names none. */
  registry: string;
  /** The repository within the registry: `shop-api`, `library/nginx`. */
  repository: string;
  /** The tag, when the reference has one (`latest` when it has neither tag nor digest). */
  tag?: string;
  /** `sha256:...` when the reference pins a digest. */
  digest?: string;
  /** The account of an ECR registry (`<account>.dkr.ecr.<region>.amazonaws.com`). */
  ecrAccountId?: string;
}

/** Where a container's secret comes from (ECS `secrets[].valueFrom`). */
export type ContainerSecretSource = 'ssm' | 'secretsmanager';

export interface ContainerSecretRef {
  /** The environment variable's name inside the container. */
  name: string;
  source: ContainerSecretSource;
  /**
   * The parameter's name (SSM, without its ARN prefix) or the secret's ARN
   * (Secrets Manager), as `valueFrom` names it: a reference, never a value.
   */
  reference: string;
}

export interface ContainerDefinitionSummary {
  name: string;
  image: ContainerImageRef;
  essential: boolean;
  cpu?: number;
  /** MiB: the hard limit, else the reservation. */
  memory?: number;
  /** Container ports, sorted. */
  ports: number[];
  /** The log driver (`awslogs`, ...); absent when the container logs nowhere. */
  logDriver?: string;
  /** Names of the plaintext environment variables, sorted. Never their values. */
  environmentNames: string[];
  /** The secrets injected from SSM or Secrets Manager, by name. */
  secrets: ContainerSecretRef[];
}

export interface TaskDefinitionSummary {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  /** Task-level size, as ECS writes it (`256`, `1024`); absent when only containers are sized. */
  cpu?: string;
  memory?: string;
  containers: ContainerDefinitionSummary[];
}

/*
 * What the task definitions point at, read as metadata only: whether their
 * secrets' parameters exist, what ECR's scan found in the images that run,
 * and the environment's file systems.
 */

/** Which of the references the task definitions' secrets name exist. */
export interface SecretReferencesCheck {
  /** Every reference looked up (distinct, sorted). */
  checked: string[];
  /** Those that do not exist. */
  missing: string[];
}

/** The SSM parameters the task definitions' secrets name, looked up by name. */
export type SecretParametersCheck = SecretReferencesCheck;

/**
 * The Secrets Manager secrets the task definitions' secrets name, looked up
 * by ARN (`secretsManagerSecretArn`): those of the environment's account and
 * region (a secret of another account or region is not looked up); one
 * scheduled for deletion is missing, as ECS cannot read it.
 */
export type SecretsManagerSecretsCheck = SecretReferencesCheck;

/**
 * The secret's ARN in a Secrets Manager `valueFrom`, without the JSON key,
 * version stage and version id ECS allows after it
 * (`arn:aws:secretsmanager:<region>:<account>:secret:<name>[:<json-key>:<stage>:<id>]`);
 * undefined for anything else.
 */
export function secretsManagerSecretArn(valueFrom: string): string | undefined {
  const parts = valueFrom.split(':');
  if (
    parts.length < 7 ||
    !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+/.test(
      valueFrom,
    )
  ) {
    return undefined;
  }
  return parts.slice(0, 7).join(':');
}

/** ECR's scan of one image digest that runs. */
export interface ImageScanSummary {
  repositoryName: string;
  imageDigest: string;
  /**
   * `complete`: counts are ECR's; `not-scanned`: scanning is off for it
   * (ScanNotFoundException), so its vulnerabilities are unknown; `pending`:
   * a scan in progress or failed.
   */
  status: 'complete' | 'not-scanned' | 'pending';
  critical: number;
  high: number;
  /** ISO time the scan completed. */
  completedAt?: string;
}

/** An EFS file system of the environment (tagged `kler:environment`). */
export interface FileSystemSummary {
  fileSystemId: string;
  fileSystemArn: string;
  name?: string;
  encrypted: boolean;
  /** Zones with a mount target, sorted. */
  mountTargetZones: string[];
}

/** What the workload findings read besides the task definitions; each absent when it could not be read. */
export interface WorkloadResources {
  secretParameters?: SecretParametersCheck;
  secretsManagerSecrets?: SecretsManagerSecretsCheck;
  /** One per ECR digest of the account that runs. */
  imageScans?: ImageScanSummary[];
  fileSystems?: FileSystemSummary[];
}
