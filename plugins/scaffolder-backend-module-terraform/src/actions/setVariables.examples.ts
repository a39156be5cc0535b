import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

function setVariablesStep(input: Record<string, unknown>) {
  return yaml.stringify({
    steps: [
      {
        id: 'variables',
        action: 'kler:environment:setVariables',
        name: "Write the environment's values",
        input,
      },
    ],
  });
}

export const examples: TemplateExample[] = [
  {
    description: "A new environment's values, into terraform.tfvars.json",
    example: setVariablesStep({
      workingDirectory: 'environment',
      variables: {
        name: '${{ parameters.name }}',
        tier: '${{ steps.target.output.tier }}',
        services: {
          storefront: { image: 'public.ecr.aws/kler/storefront:1.0.0' },
        },
      },
    }),
  },
  {
    description:
      'One more service in an existing environment; an existing entry of that name is an error',
    example: setVariablesStep({
      workingDirectory: 'environment',
      mapEntries: [
        {
          variable: 'services',
          key: '${{ parameters.serviceName }}',
          value: { image: '${{ parameters.image }}', cpu: 512, memory: 1024 },
        },
      ],
    }),
  },
];
