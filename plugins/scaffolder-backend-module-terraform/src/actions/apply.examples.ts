import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Apply the plan of the plan step, in the account it was planned for; refuse destroys; guarded for production',
    example: yaml.stringify({
      steps: [
        {
          id: 'apply',
          action: 'kler:terraform:apply',
          name: 'Apply',
          input: {
            planFile: '${{ steps.plan.output.planFile }}',
            planSha256: '${{ steps.plan.output.planSha256 }}',
            skipReason: '${{ steps.plan.output.skipReason }}',
            allowDestroy: false,
          },
        },
      ],
    }),
  },
];
