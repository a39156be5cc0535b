import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Apply the plan of the plan step; refuse destroys; guarded for production',
    example: yaml.stringify({
      steps: [
        {
          id: 'apply',
          action: 'kler:terraform:apply',
          name: 'Apply',
          input: {
            workingDirectory: 'terraform',
            planFile: '${{ steps.plan.output.planFile }}',
            planSha256: '${{ steps.plan.output.planSha256 }}',
            skipReason: '${{ steps.plan.output.skipReason }}',
            allowDestroy: false,
            tier: '${{ parameters.tier }}',
            awsAccountId: '${{ parameters.awsAccountId }}',
            awsRegion: '${{ parameters.awsRegion }}',
          },
        },
      ],
    }),
  },
];
