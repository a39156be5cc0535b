import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: "Read the environment's outputs after apply",
    example: yaml.stringify({
      steps: [
        {
          id: 'outputs',
          action: 'kler:terraform:output',
          name: 'Read outputs',
          input: {
            planFile: '${{ steps.plan.output.planFile }}',
            planSha256: '${{ steps.plan.output.planSha256 }}',
            skipReason: '${{ steps.apply.output.skipReason }}',
          },
        },
      ],
    }),
  },
];
