import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

function targetStep(input: Record<string, unknown>) {
  return yaml.stringify({
    steps: [
      {
        id: 'target',
        action: 'kler:environment:resolveTarget',
        name: 'Decide the target',
        input,
      },
    ],
  });
}

export const examples: TemplateExample[] = [
  {
    description:
      'A new environment in an account of kler.terraform.accounts: its tier comes from the config',
    example: targetStep({
      awsAccountId: '111111111111',
      awsRegion: 'eu-west-1',
    }),
  },
  {
    description: 'An environment of the catalog, picked by the user',
    example: targetStep({ environment: '${{ parameters.environment }}' }),
  },
];
