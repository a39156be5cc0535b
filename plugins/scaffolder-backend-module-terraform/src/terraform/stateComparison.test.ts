import {
  compareStateWithPlan,
  describeStateComparison,
  plannedChanges,
  stateAddresses,
} from './stateComparison';

const change = (address: string, type: string, actions: string[]) => ({
  address,
  type,
  mode: 'managed',
  change: { actions },
});

describe('plannedChanges', () => {
  it('lists each resource the plan changes, without data sources or no-ops', () => {
    expect(
      plannedChanges({
        resource_changes: [
          change('aws_ecs_service.api', 'aws_ecs_service', ['create']),
          change('aws_s3_bucket.old', 'aws_s3_bucket', ['delete']),
          change('aws_iam_role.task', 'aws_iam_role', ['update']),
          change('aws_instance.x', 'aws_instance', ['delete', 'create']),
          change('aws_vpc.main', 'aws_vpc', ['no-op']),
          {
            address: 'data.aws_caller_identity.me',
            mode: 'data',
            change: { actions: ['read'] },
          },
        ],
      }),
    ).toEqual([
      ['aws_ecs_service.api', 'add'],
      ['aws_s3_bucket.old', 'destroy'],
      ['aws_iam_role.task', 'change'],
      ['aws_instance.x', 'replace'],
    ]);
  });
});

describe('stateAddresses', () => {
  it('writes instance addresses as plans do', () => {
    expect([
      ...stateAddresses({
        resources: [
          {
            mode: 'managed',
            type: 'terraform_data',
            name: 'slow',
            instances: [{ index_key: 0 }, { index_key: 1 }],
          },
          {
            module: 'module.service["api"]',
            mode: 'managed',
            type: 'aws_ecs_service',
            name: 'this',
            instances: [{}],
          },
          {
            mode: 'managed',
            type: 'aws_ssm_parameter',
            name: 'secret',
            instances: [{ index_key: 'db"password' }],
          },
        ],
      }),
    ]).toEqual([
      'terraform_data.slow[0]',
      'terraform_data.slow[1]',
      'module.service["api"].aws_ecs_service.this',
      'aws_ssm_parameter.secret["db\\"password"]',
    ]);
  });
});

describe('compareStateWithPlan', () => {
  const changes = [
    ['terraform_data.first', 'add'],
    ['terraform_data.slow[0]', 'add'],
    ['terraform_data.slow[1]', 'add'],
    ['module.service["api"].aws_ecs_service.this', 'add'],
    ['aws_s3_bucket.old', 'destroy'],
    ['aws_iam_role.task', 'change'],
  ] as const;

  const state = (addresses: Array<[string, string, number?]>) =>
    JSON.stringify({
      version: 4,
      serial: 7,
      resources: addresses.map(([type, name, index]) => ({
        mode: 'managed',
        type,
        name,
        instances: [index === undefined ? {} : { index_key: index }],
      })),
    });

  it('counts what the state holds of the plan, by type for additions', () => {
    const comparison = compareStateWithPlan(
      state([
        ['terraform_data', 'first'],
        ['terraform_data', 'slow', 0],
        ['aws_s3_bucket', 'old'],
        ['aws_iam_role', 'task'],
      ]),
      [...changes].map(([a, k]) => [a, k]),
    );
    expect(comparison).toEqual({
      serial: 7,
      resources: 4,
      added: { done: 2, planned: 4 },
      addedByType: {
        terraform_data: { done: 2, planned: 3 },
        aws_ecs_service: { done: 0, planned: 1 },
      },
      destroyed: { done: 0, planned: 1 },
      untold: { change: 1, replace: 0 },
    });
    expect(describeStateComparison(comparison)).toBe(
      "Terraform's state (serial 7) holds 4 resources: 2 of the plan's 4 to add are in it (terraform_data: 2 of 3; aws_ecs_service: 0 of 1); 0 of its 1 to destroy are gone from it; whether its 1 to change and 0 to replace were applied the state cannot tell",
    );
  });

  it('names the five types with the most to add, and counts the others', () => {
    const toAdd = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(
      type => [`${type}_thing.x`, 'add'] as [string, 'add'],
    );
    toAdd.push(['g_thing.y', 'add']);
    const comparison = compareStateWithPlan(
      '{"version":4,"serial":3,"resources":[]}',
      toAdd,
    );
    expect(describeStateComparison(comparison)).toBe(
      "Terraform's state (serial 3) holds 0 resources: 0 of the plan's 8 to add are in it (g_thing: 0 of 2; a_thing: 0 of 1; b_thing: 0 of 1; c_thing: 0 of 1; d_thing: 0 of 1; 2 more types)",
    );
  });

  it('says when the state is empty: never written, or emptied by a killed write', () => {
    for (const text of [
      '',
      '{"version":4,"serial":0,"lineage":"","resources":[]}',
    ]) {
      const comparison = compareStateWithPlan(text, [
        ['terraform_data.first', 'add'],
      ]);
      expect(describeStateComparison(comparison)).toBe(
        "Terraform's state is empty (it holds no resource): 0 of the plan's 1 to add are in it (terraform_data: 0 of 1)",
      );
    }
  });
});
