import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

function imageStep(input: Record<string, unknown>) {
  return yaml.stringify({
    steps: [
      {
        id: 'image',
        action: 'kler:environment:resolveImage',
        name: 'Find the image that runs in the source environment',
        input,
      },
    ],
  });
}

export const examples: TemplateExample[] = [
  {
    description:
      'The image the component picked runs in the environment picked, as the environments backend read it',
    example: imageStep({
      component: '${{ parameters.component }}',
      environment:
        "${{ parameters.sourceEnvironment | parseEntityRef | pick('name') }}",
    }),
  },
  {
    description:
      "With the target environment's Terraform fetched: the service's entry of its services variable with that image, for kler:environment:setVariables",
    example: imageStep({
      component: 'component:default/shop-api',
      environment: 'development',
      serviceName: 'shop-api',
      targetEnvironment: 'resource:default/production',
      workingDirectory: 'repository/environments/production',
    }),
  },
];
