import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { InputError, ResponseError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { JsonObject } from '@backstage/types';
import type {
  ContainerImageRef,
  EcsService,
  EntityEnvironmentsResponse,
} from '@kler/plugin-environments-common';
import fs from 'node:fs/promises';
import path from 'node:path';
import { resolveWorkingDirectory, runMasked, terraformInputs } from './common';
import { examples } from './resolveImage.examples';

const COMPONENT_REF =
  /^component:[A-Za-z0-9][A-Za-z0-9._-]{0,62}\/[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const ENVIRONMENT_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** As kler-service names services, and as variables.tf keys them. */
const SERVICE_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
/** What the environment's variables.tf takes as image_tag and image_repository. */
const IMAGE_TAG = /^(sha256:[a-f0-9]{64}|[A-Za-z0-9_][A-Za-z0-9._-]{0,127})$/;
const IMAGE_REPOSITORY =
  /^(?=.{1,255}$)[a-z0-9]([a-z0-9._-]*[a-z0-9])?(\/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)+$/;
const TFVARS_FILE = 'terraform.tfvars.json';
const REQUEST_TIMEOUT_MS = 15_000;

/** The image a service runs in an environment, as its tasks run it. */
export interface ResolvedImage {
  serviceName: string;
  /** Registry and repository, without tag or digest. */
  repository: string;
  tag?: string;
  digest?: string;
  taskDefinitionArn: string;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The container of the service that carries its image: the one named after it, else the only one. */
function serviceContainer(
  service: EcsService,
  definition: NonNullable<EcsService['taskDefinitions']>[number],
) {
  const named = definition.containers.find(
    container => container.name === service.serviceName,
  );
  if (named) return named;
  if (definition.containers.length === 1) return definition.containers[0];
  throw new InputError(
    `${service.serviceName}'s task definition ${definition.family}:${
      definition.revision
    } has ${definition.containers.length} containers (${definition.containers
      .map(container => container.name)
      .join(', ')}) and none is named ${
      service.serviceName
    }: which image to promote is not clear`,
  );
}

const imageName = (image: ContainerImageRef) =>
  `${image.registry}/${image.repository}`;

/**
 * Decides the image a service runs from what the environments backend read:
 * the task definition of its primary deployment, and the digest its running
 * tasks of that definition report. Refuses when the definitions are not read,
 * when deployments or tasks run different images, or when the image is not
 * pinned (no digest and a mutable tag).
 */
export function imageOfService(
  service: EcsService,
  environment: string,
): ResolvedImage {
  const { serviceName } = service;
  const definitions = service.taskDefinitions;
  if (!definitions || definitions.length === 0) {
    throw new InputError(
      `The task definitions of ${serviceName} in ${environment} are not read yet, so what it runs is not known; try again once the environments backend has refreshed ${environment}`,
    );
  }
  const [primary, ...others] = definitions;
  const container = serviceContainer(service, primary);
  const image = container.image;
  for (const other of others) {
    const otherImage = serviceContainer(service, other).image;
    if (otherImage.image !== image.image) {
      throw new InputError(
        `${serviceName} in ${environment} is being deployed: its deployments run ${image.image} (${primary.family}:${primary.revision}) and ${otherImage.image} (${other.family}:${other.revision}); promote once one of them remains`,
      );
    }
  }
  const digests = new Set(
    service.tasks
      .filter(
        task =>
          task.lastStatus === 'RUNNING' &&
          task.taskDefinitionArn === primary.taskDefinitionArn,
      )
      .flatMap(task =>
        (task.containers ?? [])
          .filter(running => running.name === container.name)
          .flatMap(running =>
            running.imageDigest ? [running.imageDigest] : [],
          ),
      ),
  );
  if (image.digest) digests.add(image.digest);
  if (digests.size > 1) {
    throw new InputError(
      `The containers ${
        container.name
      } of ${serviceName} in ${environment} run different images (${[...digests]
        .sort()
        .join(', ')}) for ${
        image.image
      }: its tag was moved while tasks ran; promote once they agree`,
    );
  }
  const [digest] = digests;
  if (!digest && (!image.tag || image.tag.toLowerCase() === 'latest')) {
    throw new InputError(
      `${serviceName} in ${environment} runs ${image.image}, and no task reports the digest it runs: a mutable tag cannot be promoted`,
    );
  }
  return {
    serviceName,
    repository: imageName(image),
    tag: image.tag,
    digest,
    taskDefinitionArn: primary.taskDefinitionArn,
  };
}

/**
 * `kler:environment:resolveImage`: the image a component's service runs in an
 * environment, as the environments backend read it (task definitions and
 * tasks), for a template that promotes it to another environment. The user
 * never types the image. With the target's Terraform in `workingDirectory`,
 * it also gives the service's entry there with that image, for
 * `kler:environment:setVariables` to write back.
 *
 * @public
 */
export function createResolveImageAction(options: {
  auth: AuthService;
  discovery: DiscoveryService;
}) {
  const { auth, discovery } = options;
  return createTemplateAction({
    id: 'kler:environment:resolveImage',
    description:
      "Finds the image a component's ECS service runs in an environment, from the environments backend (with the user's credentials): repository, tag and the digest its tasks run. Refuses when the component runs no service there, its task definitions are not read yet, or its deployments or tasks disagree. Given the target environment's Terraform, outputs the service's entry of its services variable with that image.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        component: z =>
          z.string({
            description: "The component's entity ref (component:default/shop)",
          }),
        environment: z =>
          z.string({
            description: 'The name of the environment the image runs in',
          }),
        serviceName: z =>
          z
            .string({
              description:
                'The ECS service, when the component runs more than one there',
            })
            .optional(),
        targetEnvironment: z =>
          z
            .string({
              description:
                "The target environment's entity ref: it must be another environment",
            })
            .optional(),
        workingDirectory: terraformInputs.workingDirectory(),
      },
      output: {
        serviceName: z => z.string({ description: 'The ECS service' }),
        repository: z =>
          z.string({
            description: 'Registry and repository, without tag or digest',
          }),
        tag: z => z.string({ description: 'The tag; empty without one' }),
        digest: z =>
          z.string({
            description: 'The digest the tasks run; empty when none reports it',
          }),
        imageTag: z =>
          z.string({
            description:
              'What pins the image in image_tag: the digest, else the tag',
          }),
        image: z => z.string({ description: 'The image reference' }),
        taskDefinitionArn: z =>
          z.string({ description: 'The task definition it comes from' }),
        serviceEntry: z =>
          z
            .record(z.any(), {
              description:
                "The service's entry of the target's services variable with this image (with workingDirectory)",
            })
            .optional(),
        currentImage: z =>
          z
            .string({
              description:
                'The image the target names now (with workingDirectory); empty when none',
            })
            .optional(),
      },
    },
    async handler(rawCtx) {
      await runMasked(rawCtx, async ctx => {
        const { input } = ctx;
        if (!COMPONENT_REF.test(input.component ?? '')) {
          throw new InputError(
            `component '${String(input.component).slice(
              0,
              80,
            )}' is not a component's entity ref (component:<namespace>/<name>)`,
          );
        }
        if (!ENVIRONMENT_NAME.test(input.environment ?? '')) {
          throw new InputError(
            `environment '${String(input.environment).slice(
              0,
              80,
            )}' is not an environment's name`,
          );
        }
        if (
          input.serviceName !== undefined &&
          input.serviceName !== '' &&
          !SERVICE_NAME.test(input.serviceName)
        ) {
          throw new InputError(
            `serviceName '${input.serviceName.slice(
              0,
              80,
            )}' is not a service's name`,
          );
        }
        if (
          input.targetEnvironment &&
          parseEntityRef(input.targetEnvironment).name === input.environment
        ) {
          throw new InputError(
            `The image would be promoted from ${input.environment} to itself: pick another target environment`,
          );
        }

        const ref = parseEntityRef(input.component);
        const { token } = await auth.getPluginRequestToken({
          onBehalfOf: await ctx.getInitiatorCredentials(),
          targetPluginId: 'environments',
        });
        const baseUrl = await discovery.getBaseUrl('environments');
        const response = await fetch(
          `${baseUrl}/v1/entity/${encodeURIComponent(
            ref.namespace,
          )}/component/${encodeURIComponent(ref.name)}`,
          {
            headers: { Authorization: `Bearer ${token}` },
            signal: AbortSignal.any(
              [AbortSignal.timeout(REQUEST_TIMEOUT_MS), ctx.signal].filter(
                (signal): signal is AbortSignal => Boolean(signal),
              ),
            ),
          },
        );
        if (response.status === 404) {
          throw new InputError(
            `The environments backend knows no ${input.component} (or you may not see it)`,
          );
        }
        if (!response.ok) {
          throw await ResponseError.fromResponse(response);
        }
        const body = (await response.json()) as EntityEnvironmentsResponse;
        const inEnvironment = body.environments.find(
          entry => entry.summary.name === input.environment,
        );
        if (!inEnvironment || inEnvironment.services.length === 0) {
          const where = body.environments
            .filter(entry => entry.services.length > 0)
            .map(entry => entry.summary.name);
          throw new InputError(
            `${input.component} does not run in ${input.environment}${
              inEnvironment ? ' (its services there are not read yet)' : ''
            }; it runs in ${
              where.length ? where.join(', ') : 'no environment'
            }`,
          );
        }
        const services = inEnvironment.services.map(entry => entry.service);
        const names = services.map(service => service.serviceName);
        let service: EcsService | undefined;
        if (input.serviceName) {
          service = services.find(s => s.serviceName === input.serviceName);
          if (!service) {
            throw new InputError(
              `${input.component} runs no service ${input.serviceName} in ${
                input.environment
              }; it runs ${names.join(', ')}`,
            );
          }
        } else if (services.length > 1) {
          throw new InputError(
            `${input.component} runs ${names.join(', ')} in ${
              input.environment
            }: name the service to promote`,
          );
        } else {
          service = services[0];
        }
        if (!SERVICE_NAME.test(service.serviceName)) {
          throw new InputError(
            `The service ${service.serviceName.slice(
              0,
              80,
            )} is not named as KLER's environments name services`,
          );
        }

        const resolved = imageOfService(service, input.environment);
        const imageTag = resolved.digest ?? resolved.tag ?? '';
        if (
          !IMAGE_TAG.test(imageTag) ||
          !IMAGE_REPOSITORY.test(resolved.repository)
        ) {
          throw new InputError(
            `${resolved.serviceName} in ${input.environment} runs ${resolved.repository} ${imageTag}, which an environment's image_repository and image_tag cannot name`,
          );
        }
        const image = `${resolved.repository}${
          imageTag.startsWith('sha256:') ? '@' : ':'
        }${imageTag}`;
        ctx.logger.info(
          `${resolved.serviceName} runs ${image}${
            resolved.tag ? ` (tag ${resolved.tag})` : ''
          } in ${input.environment} (${resolved.taskDefinitionArn})`,
        );
        ctx.output('serviceName', resolved.serviceName);
        ctx.output('repository', resolved.repository);
        ctx.output('tag', resolved.tag ?? '');
        ctx.output('digest', resolved.digest ?? '');
        ctx.output('imageTag', imageTag);
        ctx.output('image', image);
        ctx.output('taskDefinitionArn', resolved.taskDefinitionArn);

        if (input.workingDirectory === undefined) return;
        const file = path.join(await resolveWorkingDirectory(ctx), TFVARS_FILE);
        let variables: unknown;
        try {
          variables = JSON.parse(await fs.readFile(file, 'utf8'));
        } catch (error) {
          throw new InputError(
            `The target's ${TFVARS_FILE} cannot be read: ${
              (error as Error).message
            }`,
          );
        }
        const entries = isObject(variables) ? variables.services : undefined;
        const entry =
          isObject(entries) && Object.hasOwn(entries, resolved.serviceName)
            ? entries[resolved.serviceName]
            : undefined;
        if (!isObject(entry)) {
          throw new InputError(
            `The target environment has no service ${resolved.serviceName} in its ${TFVARS_FILE}: add it with kler-service first`,
          );
        }
        const current =
          typeof entry.image_tag === 'string' && entry.image_tag
            ? `${
                typeof entry.image_repository === 'string' &&
                entry.image_repository
                  ? entry.image_repository
                  : "the environment's own repository"
              }${entry.image_tag.startsWith('sha256:') ? '@' : ':'}${
                entry.image_tag
              }`
            : '';
        if (
          entry.image_tag === imageTag &&
          entry.image_repository === resolved.repository
        ) {
          throw new InputError(
            `The target environment names ${image} for ${resolved.serviceName} already: there is nothing to promote`,
          );
        }
        ctx.output('serviceEntry', {
          ...entry,
          image_tag: imageTag,
          image_repository: resolved.repository,
        });
        ctx.output('currentImage', current);
      });
    },
  });
}
