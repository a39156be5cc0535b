import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

function pipelineStep(input: Record<string, unknown>) {
  return yaml.stringify({
    steps: [
      {
        id: 'pipelineConfig',
        action: 'kler:environment:writePipelineConfig',
        name: "Write the environment's pipeline.json",
        input,
      },
    ],
  });
}

export const examples: TemplateExample[] = [
  {
    description:
      'A new environment: its account and region, as resolveTarget decided them',
    example: pipelineStep({
      workingDirectory: 'environment',
      environmentName: '${{ parameters.name }}',
      awsAccountId: '111111111111',
      awsRegion: 'eu-west-1',
    }),
  },
  {
    description: 'An environment of the catalog',
    example: pipelineStep({
      workingDirectory: 'environment',
      environmentName: 'example',
      environment: 'resource:default/example',
    }),
  },
];
