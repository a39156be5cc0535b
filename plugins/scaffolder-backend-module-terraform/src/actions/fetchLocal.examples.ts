import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Fetch an existing environment from the local repository',
    example: yaml.stringify({
      steps: [
        {
          id: 'fetch',
          action: 'kler:git:fetchLocal',
          name: 'Fetch the environment',
          input: {
            sourceDirectory: 'environments/${{ parameters.name }}',
            targetPath: 'environment',
          },
        },
      ],
    }),
  },
];
