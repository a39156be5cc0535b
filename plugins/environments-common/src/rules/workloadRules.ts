import { ecsServiceConsoleUrl } from '../consoleUrls';
import { EcsService, Problem } from '../types';
import {
  ContainerDefinitionSummary,
  ContainerImageRef,
  TaskDefinitionSummary,
} from '../workloadTypes';
import { RuleContext, createProblem, plural, severityForTier } from './context';

/*
 * Rules about what a service runs (its task definition, its tasks' zones),
 * answering the review's findings: secrets hard-coded in the applications, no
 * redundancy, unhardened dependencies. They judge the task definition of the
 * PRIMARY deployment, the one the service converges to, so that a problem
 * clears as soon as its fix is deployed.
 */

/** Word parts that make a variable name a secret on their own. */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'credential',
  'credentials',
  'apikey',
  'privatekey',
  'accesskey',
]);

/** Two consecutive word parts that make a secret: `API_KEY`, `privateKey`. */
const SECRET_WORD_PAIRS = new Set(['api key', 'private key', 'access key']);

/**
 * A last word part that says the variable locates or describes a secret
 * rather than holds it: `DB_PASSWORD_FILE`, `JWT_SECRET_ARN`, `TOKEN_TTL`.
 */
const REFERENCE_SUFFIXES = new Set([
  'arn',
  'name',
  'path',
  'file',
  'url',
  'uri',
  'endpoint',
  'id',
  'region',
  'ttl',
  'expiry',
  'expiration',
  'length',
  'header',
  'type',
  'enabled',
]);

/** `DB_PASSWORD`, `dbPassword`, `db-password` → `['db', 'password']`. */
function wordParts(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map(part => part.toLocaleLowerCase('en-US'));
}

/**
 * True when an environment variable's name says it holds a secret. Matches
 * whole word parts, never substrings: `TOKENIZER_MODE`, `MONKEY_PATCH` and
 * `KEYCLOAK_URL` are not secrets, `STRIPE_API_KEY`, `dbPassword` and
 * `SECRET_KEY_BASE` are; a name ending in a reference word (`_ARN`, `_FILE`,
 * `_URL`, `_ID`, ...) points at a secret and is not one (`AWS_ACCESS_KEY_ID`
 * is an identifier: its secret half, `AWS_SECRET_ACCESS_KEY`, matches).
 *
 * @public
 */
export function isSecretLikeName(name: string): boolean {
  const parts = wordParts(name);
  if (parts.length === 0 || REFERENCE_SUFFIXES.has(parts[parts.length - 1])) {
    return false;
  }
  return parts.some(
    (part, i) =>
      SECRET_WORDS.has(part) ||
      (i > 0 && SECRET_WORD_PAIRS.has(`${parts[i - 1]} ${part}`)),
  );
}

function primaryTaskDefinition(
  service: EcsService,
): TaskDefinitionSummary | undefined {
  return service.taskDefinitions?.[0];
}

function serviceConsoleUrl(
  context: RuleContext,
  service: EcsService,
  tab?: 'tasks' | 'events',
) {
  return ecsServiceConsoleUrl(
    context.environment.region,
    context.environment.cluster,
    service.serviceName,
    tab,
  );
}

function revisionOf(taskDefinition: TaskDefinitionSummary): string {
  return `${taskDefinition.family}:${taskDefinition.revision}`;
}

/** Plaintext environment variables whose names say they hold secrets. */
export function detectPlaintextSecrets(
  service: EcsService,
  context: RuleContext,
): Problem[] {
  const taskDefinition = primaryTaskDefinition(service);
  if (!taskDefinition) {
    return [];
  }
  const found = taskDefinition.containers.flatMap(container =>
    container.environmentNames
      .filter(isSecretLikeName)
      .map(name => ({ container: container.name, name })),
  );
  if (found.length === 0) {
    return [];
  }
  const { serviceName } = service;
  const { name: env, region } = context.environment;
  const names = [...new Set(found.map(f => f.name))];
  const listed = found.map(f => `${f.name} (container ${f.container})`);
  const example = names[0];
  return [
    createProblem(context, {
      idSuffix: `service/${serviceName}/plaintext-secrets`,
      area: 'workload',
      severity: severityForTier(context, 'high', 'medium'),
      title: `${serviceName} has ${plural(
        names.length,
        'secret',
      )} in plaintext environment variables`,
      explanation:
        `Task definition ${revisionOf(taskDefinition)} sets ${listed.join(
          ', ',
        )} ` +
        `as plaintext environment ${
          found.length === 1 ? 'variable' : 'variables'
        }. ` +
        `Their names say they hold secrets, and a plaintext value is stored in the ` +
        `task definition for good: anyone allowed ecs:DescribeTaskDefinition reads ` +
        `it, in this and every later revision that keeps it. The portal reads the ` +
        `names only, never the values.`,
      proposedFix:
        `Store each value as a SecureString in Parameter Store (\`aws ssm put-parameter ` +
        `--name /kler/${env}/${serviceName}/${example} --type SecureString ` +
        `--value "$VALUE" --region ${region}\`), then remove it from the container's ` +
        `environment and reference it in its \`secrets\` instead: for a service of ` +
        `the kler-environment Terraform, add ${names
          .map(n => `"${n}"`)
          .join(', ')} to \`services.${serviceName}.secrets\` in ` +
        `\`environments/${env}\` (the parameter is /kler/${env}/${serviceName}/<NAME>), ` +
        `plan and apply. The execution role needs ssm:GetParameters on it. ` +
        `Rotate the values: the old ones stay readable in the old revisions ` +
        `(deregister them with \`aws ecs deregister-task-definition\`).`,
      consoleUrl: serviceConsoleUrl(context, service),
      serviceName,
      resource: taskDefinition.taskDefinitionArn,
    }),
  ];
}

function runningTasks(service: EcsService) {
  return service.tasks.filter(task => task.lastStatus === 'RUNNING');
}

/**
 * A production service that runs one task, or whose running tasks are all in
 * one availability zone: one instance or one zone failing stops it.
 * Development is not expected to be redundant.
 */
export function detectNoRedundancy(
  service: EcsService,
  context: RuleContext,
): Problem[] {
  if (context.environment.tier !== 'production' || service.desiredCount < 1) {
    return [];
  }
  const { serviceName } = service;
  const { name: env, region, cluster } = context.environment;
  const scalingFix =
    `Run at least two tasks: set \`services.${serviceName}.desired_min\` to 2 in ` +
    `\`environments/${env}\` (the kler-environment Terraform) and apply, or ` +
    `\`aws application-autoscaling register-scalable-target --service-namespace ecs ` +
    `--scalable-dimension ecs:service:DesiredCount --resource-id ` +
    `service/${cluster}/${serviceName} --min-capacity 2 --region ${region}\` ` +
    `for a service outside it.`;
  if (service.desiredCount === 1) {
    const scaling = service.scaling;
    return [
      createProblem(context, {
        idSuffix: `service/${serviceName}/single-task`,
        area: 'workload',
        severity: 'high',
        title: `${serviceName} runs a single task in production`,
        explanation:
          `The service's desired count is 1${
            scaling
              ? ` (scalable target minimum ${scaling.minCapacity}, maximum ${scaling.maxCapacity})`
              : ' and it has no scalable target'
          }: when its task, its instance or its availability zone fails, the ` +
          `service is down until ECS starts a new task elsewhere.`,
        proposedFix: `${scalingFix} ECS spreads a service's tasks across zones by default.`,
        consoleUrl: serviceConsoleUrl(context, service),
        serviceName,
        resource: service.serviceArn,
      }),
    ];
  }
  if (context.snapshot.pending?.includes('runningTasks')) {
    return [];
  }
  const running = runningTasks(service);
  const zones = new Set(running.map(task => task.availabilityZone));
  // A task of unknown zone may be elsewhere: judge only when every zone is known.
  if (running.length < 2 || zones.has(undefined) || zones.size !== 1) {
    return [];
  }
  const [zone] = zones;
  return [
    createProblem(context, {
      idSuffix: `service/${serviceName}/single-zone`,
      area: 'workload',
      severity: 'high',
      title: `${serviceName} runs in one availability zone only`,
      explanation:
        `All ${running.length} running tasks of the service are in ${zone}: ` +
        `if that zone fails, the service is down.`,
      proposedFix:
        `Give the service subnets in at least two zones (\`subnet_ids\` of the ` +
        `ecs-service module; its capacity provider's Auto Scaling group too) and ` +
        `spread its tasks by zone: \`aws ecs update-service --cluster ${cluster} ` +
        `--service ${serviceName} --placement-strategy ` +
        `type=spread,field=attribute:ecs.availability-zone --region ${region}\`, ` +
        `then check \`aws ecs describe-tasks\` shows several zones.`,
      consoleUrl: serviceConsoleUrl(context, service, 'tasks'),
      serviceName,
      resource: service.serviceArn,
    }),
  ];
}

/** `latest`, or neither tag nor digest: the image may change under the same name. */
export function isMutableImageRef(image: ContainerImageRef): boolean {
  return !image.digest && (!image.tag || image.tag === 'latest');
}

/** The digest a running task reports for a container, to pin to. */
function runningDigest(service: EcsService, containerName: string) {
  for (const task of runningTasks(service)) {
    const digest = task.containers.find(
      c => c.name === containerName,
    )?.imageDigest;
    if (digest) {
      return digest;
    }
  }
  return undefined;
}

function imageName(image: ContainerImageRef): string {
  return image.registry === 'docker.io'
    ? image.repository
    : `${image.registry}/${image.repository}`;
}

/** Containers whose image is `latest` or has no tag or digest. */
export function detectMutableImageTags(
  service: EcsService,
  context: RuleContext,
): Problem[] {
  const taskDefinition = primaryTaskDefinition(service);
  const mutable = (taskDefinition?.containers ?? []).filter(c =>
    isMutableImageRef(c.image),
  );
  if (!taskDefinition || mutable.length === 0) {
    return [];
  }
  const { serviceName } = service;
  const pins = mutable.map(container => {
    const digest = runningDigest(service, container.name);
    return digest
      ? `${imageName(container.image)}@${digest}`
      : `${imageName(container.image)}:<version>`;
  });
  return [
    createProblem(context, {
      idSuffix: `service/${serviceName}/mutable-image-tag`,
      area: 'workload',
      severity: 'medium',
      title: `${serviceName} runs an image by a mutable tag`,
      explanation:
        `Task definition ${revisionOf(taskDefinition)} runs ${mutable
          .map(c => `${c.image.image} (container ${c.name})`)
          .join(', ')}. ` +
        `A tag like latest moves: each new task (a scale-out, a replaced ` +
        `instance) may pull a different image than the others run, a rollback ` +
        `does not return to the previous code, and what runs cannot be told ` +
        `from the task definition.`,
      proposedFix:
        `Push each build with its own version tag and deploy that tag or the ` +
        `digest: ${pins.join(', ')} (for a service of the kler-environment ` +
        `Terraform, \`services.${serviceName}.image_tag\` in ` +
        `\`environments/${context.environment.name}\`, which refuses latest). ` +
        `Make the repository's tags immutable: \`aws ecr put-image-tag-mutability ` +
        `--repository-name ${mutable[0].image.repository} --image-tag-mutability IMMUTABLE ` +
        `--region ${context.environment.region}\`.`,
      consoleUrl: serviceConsoleUrl(context, service),
      serviceName,
      resource: taskDefinition.taskDefinitionArn,
    }),
  ];
}

function accountRegistry(context: RuleContext): string {
  const { accountId, region } = context.environment;
  return `${accountId}.dkr.ecr.${region}.amazonaws.com`;
}

function isFromAccountRegistry(
  container: ContainerDefinitionSummary,
  context: RuleContext,
): boolean {
  return container.image.registry === accountRegistry(context);
}

/**
 * Containers whose image comes from outside the environment's own ECR
 * registry (Docker Hub, another account or region, a public registry).
 * Medium in production: a pull there depends on a registry the environment
 * does not control (its availability, its rate limits, its retention) and
 * the image escapes the account's ECR scanning and tag immutability; low in
 * development, where a failed pull hurts no customer.
 */
export function detectExternalImages(
  service: EcsService,
  context: RuleContext,
): Problem[] {
  const taskDefinition = primaryTaskDefinition(service);
  const external = (taskDefinition?.containers ?? []).filter(
    c => !isFromAccountRegistry(c, context),
  );
  if (!taskDefinition || external.length === 0) {
    return [];
  }
  const { serviceName } = service;
  const { name: env, region } = context.environment;
  const registry = accountRegistry(context);
  const first = external[0].image;
  const target = `${registry}/${first.repository}:${first.tag ?? '<version>'}`;
  return [
    createProblem(context, {
      idSuffix: `service/${serviceName}/external-image`,
      area: 'workload',
      severity: severityForTier(context, 'medium', 'low'),
      title: `${serviceName} runs an image from outside the account's registry`,
      explanation:
        `Task definition ${revisionOf(taskDefinition)} pulls ${external
          .map(c => `${c.image.image} (container ${c.name})`)
          .join(', ')}, ` +
        `not from ${registry}. Starting a task then depends on a registry the ` +
        `environment does not control (its availability, rate limits and ` +
        `retention), and the image escapes the account's ECR scanning and tag ` +
        `immutability.`,
      proposedFix:
        `Copy the image into the environment's ECR and run it from there: ` +
        `\`aws ecr create-repository --repository-name ${first.repository} ` +
        `--image-scanning-configuration scanOnPush=true --image-tag-mutability ` +
        `IMMUTABLE --region ${region}\`, then \`docker pull ${first.image} && ` +
        `docker tag ${first.image} ${target} && docker push ${target}\` ` +
        `(or an ECR pull through cache rule, \`aws ecr create-pull-through-cache-rule\`), ` +
        `and set the service's image to it (\`services.${serviceName}.image_repository\` ` +
        `and \`image_tag\` in \`environments/${env}\` for the kler-environment Terraform).`,
      consoleUrl: serviceConsoleUrl(context, service),
      serviceName,
      resource: taskDefinition.taskDefinitionArn,
    }),
  ];
}

/** The rules about what one service runs. */
export const serviceWorkloadRules = [
  detectPlaintextSecrets,
  detectNoRedundancy,
  detectMutableImageTags,
  detectExternalImages,
];
