import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Check the Terraform rendered into the workspace',
    example: yaml.stringify({
      steps: [
        {
          id: 'check',
          action: 'kler:terraform:check',
          name: 'Check Terraform',
          input: { workingDirectory: 'terraform' },
        },
      ],
    }),
  },
  {
    description:
      'Check formatting even where providers cannot be downloaded (validation is reported as skipped)',
    example: yaml.stringify({
      steps: [
        {
          id: 'check',
          action: 'kler:terraform:check',
          name: 'Check Terraform',
          input: {
            workingDirectory: 'terraform',
            allowUnavailableProviders: true,
            timeoutMinutes: 5,
          },
        },
      ],
    }),
  },
];
