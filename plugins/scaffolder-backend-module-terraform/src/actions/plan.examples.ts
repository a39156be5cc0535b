import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** A template with one plan step taking this input. */
function planStep(input: Record<string, unknown>) {
  return yaml.stringify({
    steps: [{ id: 'plan', action: 'kler:terraform:plan', name: 'Plan', input }],
  });
}

export const examples: TemplateExample[] = [
  {
    description: 'Plan with variables, one of them masked in the log',
    example: planStep({
      workingDirectory: 'terraform',
      awsAccountId: '111111111111',
      awsRegion: 'eu-west-1',
      vars: { name: 'development', api_token: 'not-in-logs' },
      sensitiveVars: ['api_token'],
    }),
  },
  {
    description:
      'Plan a change to an environment of the catalog: its account and region come from its entity and kler.terraform.accounts',
    example: planStep({
      workingDirectory: 'environment',
      environment: '${{ parameters.environment }}',
      backendConfig: { key: 'environments/staging/terraform.tfstate' },
    }),
  },
  {
    description:
      'Plan an AWS environment with an S3 backend; skip honestly where providers cannot be reached',
    example: planStep({
      workingDirectory: 'terraform',
      awsAccountId: '111111111111',
      awsRegion: 'eu-west-1',
      backendConfig: {
        bucket: 'kler-terraform-state',
        key: 'environments/development.tfstate',
        region: 'eu-west-1',
      },
      allowUnavailableProviders: true,
      timeoutMinutes: 20,
    }),
  },
];
