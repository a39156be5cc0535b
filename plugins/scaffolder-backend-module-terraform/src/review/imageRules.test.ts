import { reviewWith } from './__testUtils__/configurations';
import { imageNotPinned, unpinnedImage } from './imageRules';

describe('unpinnedImage', () => {
  it.each([
    ['public.ecr.aws/kler/storefront:latest', 'latest'],
    ['nginx', 'untagged'],
    ['registry.example.com:5000/shop-api', 'untagged'],
    ['registry.example.com:5000/shop-api:1.4.2', undefined],
    ['222222222222.dkr.ecr.eu-west-1.amazonaws.com/shop-api:1.4.2', undefined],
    [`nginx@sha256:${'a'.repeat(64)}`, undefined],
  ])('%s is %s', (reference, expected) => {
    expect(unpinnedImage(reference)).toBe(expected);
  });
});

const variables = `
variable "services" {
  type = map(object({
    image = string
  }))
}
`;

describe('image-not-pinned', () => {
  it('reports :latest and untagged images in the values file, with the line', async () => {
    const problems = await reviewWith(
      imageNotPinned,
      { 'variables.tf': variables },
      {
        services: {
          storefront: { image: 'public.ecr.aws/kler/storefront:latest' },
          'shop-api': { image: 'shop-api' },
          pinned: { image: 'shop-api:1.4.2' },
          tagged: { image_tag: 'latest', image_repository: 'x/tagged' },
          'not-yet': { image_tag: '' },
          'tag-pinned': { image_tag: '2.0.1' },
        },
      },
    );
    expect(problems).toEqual([
      {
        source: 'review',
        rule: 'image-not-pinned',
        severity: 'error',
        file: 'terraform.tfvars.json',
        line: 4,
        resource: 'var.services.storefront.image',
        message: expect.stringContaining(
          'var.services.storefront.image in terraform.tfvars.json is public.ecr.aws/kler/storefront:latest, tagged latest',
        ),
        fix: expect.stringContaining('public.ecr.aws/kler/storefront:1.4.2'),
      },
      expect.objectContaining({
        line: 7,
        resource: 'var.services.shop-api.image',
        message: expect.stringContaining('without a tag (so latest)'),
      }),
      expect.objectContaining({
        resource: 'var.services.tagged.image_tag',
        message: expect.stringContaining(
          'var.services.tagged.image_tag in terraform.tfvars.json is the tag latest',
        ),
        fix: expect.stringContaining('Set a version tag'),
      }),
    ]);
  });

  it('reports unpinned defaults of variables', async () => {
    const problems = await reviewWith(imageNotPinned, {
      'modules/app/variables.tf': `
variable "image" {
  type    = string
  default = "nginx:latest"
}
variable "sidecar_image" {
  type    = string
  default = "envoyproxy/envoy:v1.31.0"
}
variable "services" {
  type    = map(any)
  default = { web = { image = "web" } }
}
`,
    });
    expect(problems.map(problem => [problem.resource, problem.line])).toEqual([
      ['var.image', 2],
      ['var.services.web.image', 10],
    ]);
    expect(problems[0].message).toContain('by default (modules/app)');
  });

  it('reports literal images of task definitions, and passes what it cannot see', async () => {
    const problems = await reviewWith(imageNotPinned, {
      'main.tf': `
resource "aws_ecs_task_definition" "literal" {
  family                = "literal"
  container_definitions = jsonencode([{ name = "app", image = "nginx:latest" }])
}
resource "aws_ecs_task_definition" "variable" {
  family                = "variable"
  container_definitions = jsonencode([{ name = "app", image = var.image }])
}
`,
    });
    expect(problems).toEqual([
      expect.objectContaining({
        resource: 'aws_ecs_task_definition.literal',
        line: 2,
      }),
    ]);
  });
});
