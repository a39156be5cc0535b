import { Problem } from '@kler/plugin-environments-common';
import { componentEntity } from '../__testUtils__/fixtures';
import { EnvironmentView } from '../services/EnvironmentsService';
import { problemsOfEntityServices } from './entityProblems';
import { collectServiceTargets } from './serviceTargets';

function view(name: string, accountId: string): EnvironmentView {
  return {
    entry: {
      name,
      version: name,
      environment: {
        name,
        tier: name === 'production' ? 'production' : 'development',
        accountId,
        region: 'eu-west-1',
        cluster: `kler-${name}`,
      },
    },
    version: name,
  } as EnvironmentView;
}

function problem(environment: string, serviceName?: string): Problem {
  return {
    id: `${environment}/${serviceName ?? 'backup'}/x`,
    environment,
    area: serviceName ? 'health' : 'backup',
    severity: 'high',
    title: 'x',
    explanation: 'x',
    proposedFix: 'x',
    serviceName,
  };
}

const views = [
  view('production', '222222222222'),
  view('development', '111111111111'),
];
const problems = [
  problem('production', 'shop-api'),
  problem('production'),
  problem('production', 'admin-panel'),
  problem('development', 'admin-panel'),
  problem('development', 'shop-api'),
];

describe('problemsOfEntityServices', () => {
  it("keeps the problems of the entity's services, in order, and none without a service", () => {
    const targets = collectServiceTargets([
      componentEntity('shop-api', { 'kler.io/ecs-service-name': 'shop-api' }),
    ]);
    expect(problemsOfEntityServices(problems, targets, views)).toEqual([
      problems[0],
      problems[4],
    ]);
  });

  it('keeps a service named by its ARN to the environment the ARN names', () => {
    const targets = collectServiceTargets([
      componentEntity('legacy-admin', {
        'aws.amazon.com/amazon-ecs-service-arn':
          'arn:aws:ecs:eu-west-1:222222222222:service/kler-production/admin-panel',
      }),
    ]);
    expect(problemsOfEntityServices(problems, targets, views)).toEqual([
      problems[2],
    ]);
  });
});
