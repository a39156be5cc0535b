import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'With the portal on the local AWS sandbox, add the environment Terraform did not apply to it (demo data)',
    example: yaml.stringify({
      steps: [
        {
          id: 'sandbox',
          action: 'kler:environment:provisionSandbox',
          name: 'Provision the local sandbox',
          input: {
            workingDirectory: 'environment',
            terraformApplied: '${{ steps.apply.output.applied }}',
            environmentName: '${{ parameters.name }}',
          },
        },
      ],
    }),
  },
];
