import {
  BlockLocation,
  TerraformConfiguration,
  addressOf,
  escapeRegExp,
  isBody,
  lineAt,
} from './configuration';
import { ConfigurationEvaluator } from './evaluation';
import { jsonDocument } from './jsonDocuments';
import { Value, isObject } from './values';
import { ReviewFinding, ReviewRule, createdResources } from './reviewRule';

/** Keys and variable names that hold a container image reference. */
const IMAGE_KEY = /^(image|[a-z0-9_]*_image|image_uri)$/i;

/** Keys that hold only an image's tag (the repository is elsewhere). */
const IMAGE_TAG_KEY = /^image_?tag$/i;

/**
 * Why an image reference is not pinned: `latest`, `untagged`, or undefined
 * when it has a tag other than latest or a digest.
 */
export function unpinnedImage(
  reference: string,
): 'latest' | 'untagged' | undefined {
  if (/@sha256:[0-9a-f]{64}$/.test(reference)) return undefined;
  // The tag follows the last ':' after the last '/' (a registry may have a port).
  const name = reference.slice(reference.lastIndexOf('/') + 1);
  const colon = name.indexOf(':');
  if (colon < 0) return 'untagged';
  return name.slice(colon + 1) === 'latest' ? 'latest' : undefined;
}

interface ImageReference {
  /** A whole reference (`registry/name:tag`), or a tag alone under a tag key. */
  reference: string;
  tagOnly?: boolean;
  /** e.g. `var.services.storefront.image` */
  path: string;
  /** The key it is under, e.g. `image`. */
  key?: string;
}

/** The image references in a value: strings under image keys, at any depth. */
function imagesIn(
  value: unknown,
  path: string,
  key?: string,
): ImageReference[] {
  if (typeof value === 'string' && key !== undefined) {
    if (IMAGE_KEY.test(key)) return [{ reference: value, path, key }];
    // An empty tag is a service with no image yet, not an unpinned one.
    if (IMAGE_TAG_KEY.test(key) && value !== '') {
      return [{ reference: value, path, key, tagOnly: true }];
    }
    return [];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, index) =>
      imagesIn(item, `${path}[${index}]`, key),
    );
  }
  if (isBody(value)) {
    return Object.entries(value).flatMap(([name, item]) =>
      imagesIn(
        item,
        /^[A-Za-z_][\w-]*$/.test(name)
          ? `${path}.${name}`
          : `${path}[${JSON.stringify(name)}]`,
        name,
      ),
    );
  }
  return [];
}

const CONSEQUENCE =
  'every deployment and every task ECS replaces may run another image, and a rollback returns to nothing known';

function finding(
  image: ImageReference,
  at: BlockLocation,
  where: string,
): ReviewFinding[] {
  if (image.tagOnly) {
    if (image.reference.toLowerCase() !== 'latest') return [];
    return [
      {
        severity: 'error',
        at,
        resource: image.path,
        message: `${image.path} ${where} is the tag ${image.reference}: ${CONSEQUENCE}`,
        fix: 'Set a version tag (e.g. 1.4.2) or a digest (sha256:<digest>)',
      },
    ];
  }
  const problem = unpinnedImage(image.reference);
  if (!problem) return [];
  return [
    {
      severity: 'error',
      at,
      resource: image.path,
      message: `${image.path} ${where} is ${image.reference}, ${
        problem === 'latest' ? 'tagged latest' : 'without a tag (so latest)'
      }: ${CONSEQUENCE}`,
      fix: `Pin the image by a version tag or a digest (e.g. ${image.reference.replace(
        /:latest$/,
        '',
      )}:1.4.2 or ...@sha256:<digest>)`,
    },
  ];
}

/**
 * `image-not-pinned`: a container image reference tagged `latest` or
 * without a tag, pinned neither by tag nor by digest. Looks at the values
 * files (any `image` or `*_image` key at any depth, e.g.
 * `services.storefront.image`, and `image_tag` keys holding `latest`), the
 * defaults of variables (the same keys, and string defaults of variables
 * named so), and literal `image`s in task definitions'
 * `container_definitions`. It cannot see images that arrive any other way
 * (a data source, a module's output, a repository and a tag joined in an
 * expression it cannot work out); a mutable tag other than `latest`
 * (`main`, `stable`) passes.
 */
export const imageNotPinned: ReviewRule = {
  id: 'image-not-pinned',
  checks:
    'Container images are pinned by a version tag or a digest: no :latest, no untagged image (values files, variable defaults, task definitions)',
  review(configuration: TerraformConfiguration) {
    const findings: ReviewFinding[] = [];
    const values = configuration.variableValues;
    for (const [name, value] of Object.entries(values?.values ?? {})) {
      for (const image of imagesIn(value, `var.${name}`, name)) {
        // The last values file that sets it, at the line of `"image": "..."`.
        const setting = new RegExp(
          `"${escapeRegExp(image.key ?? name)}"\\s*:\\s*${escapeRegExp(
            JSON.stringify(image.reference),
          )}`,
        );
        const file =
          [...values!.files]
            .reverse()
            .find(candidate => setting.test(candidate.text)) ??
          values!.files[values!.files.length - 1];
        const at = {
          module: '',
          file: file.file,
          line: lineAt(file.text, setting),
        };
        findings.push(...finding(image, at, `in ${at.file}`));
      }
    }
    for (const variable of configuration.variables) {
      if (!variable.hasDefault) continue;
      for (const image of imagesIn(
        variable.default,
        `var.${variable.name}`,
        variable.name,
      )) {
        findings.push(
          ...finding(
            image,
            variable,
            `by default${variable.module ? ` (${variable.module})` : ''}`,
          ),
        );
      }
    }
    const evaluator = new ConfigurationEvaluator(configuration);
    for (const task of createdResources(evaluator, 'aws_ecs_task_definition')) {
      const containers = jsonDocument(
        evaluator,
        task.module,
        task.attributes.container_definitions,
      );
      for (const container of Array.isArray(containers) ? containers : []) {
        const image: Value | undefined = isObject(container)
          ? container.image
          : undefined;
        if (typeof image !== 'string') continue;
        findings.push(
          ...finding(
            { reference: image, path: addressOf(task) },
            task,
            'has an image that',
          ),
        );
      }
    }
    return findings;
  },
};

export const imageRules: ReviewRule[] = [imageNotPinned];
