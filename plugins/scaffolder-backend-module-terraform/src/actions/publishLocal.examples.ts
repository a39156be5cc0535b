import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Commit the rendered environment to the local environments repository',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish',
          action: 'kler:git:publishLocal',
          name: 'Publish',
          input: {
            sourcePath: 'environment',
            targetDirectory: 'environments/${{ parameters.name }}',
            commitMessage: 'Add environment ${{ parameters.name }}',
          },
        },
      ],
    }),
  },
];
