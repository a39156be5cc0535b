import {
  backupPlanSelects,
  backupSelectionSelects,
  backupSelectionTagKeys,
} from './backupSelection';
import { BackupPlan, BackupSelectionCriteria } from './types';

const efs =
  'arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/fs-media';
const rds = 'arn:aws:rds:eu-west-1:222222222222:db:shop-database';

function selection(
  criteria: Partial<Omit<BackupSelectionCriteria, 'conditions'>> & {
    conditions?: Partial<BackupSelectionCriteria['conditions']>;
  },
): BackupSelectionCriteria {
  return {
    resources: criteria.resources ?? [],
    notResources: criteria.notResources ?? [],
    anyOfTags: criteria.anyOfTags ?? [],
    conditions: {
      stringEquals: [],
      stringNotEquals: [],
      stringLike: [],
      stringNotLike: [],
      ...criteria.conditions,
    },
  };
}

const production = { key: 'kler:environment', value: 'production' };
const backedUp = { key: 'kler:backup', value: 'true' };

describe('backupSelectionSelects', () => {
  it("selects by the template's selection: every resource with both tags (Resources * AND Conditions)", () => {
    const templates = selection({
      resources: ['*'],
      conditions: { stringEquals: [production, backedUp] },
    });
    expect(
      backupSelectionSelects(templates, {
        resourceArn: efs,
        tags: { 'kler:environment': 'production', 'kler:backup': 'true' },
      }),
    ).toBe(true);
    expect(
      backupSelectionSelects(templates, {
        resourceArn: efs,
        tags: { 'kler:environment': 'production' },
      }),
    ).toBe(false);
    expect(
      backupSelectionSelects(templates, {
        resourceArn: efs,
        tags: { 'kler:environment': 'development', 'kler:backup': 'true' },
      }),
    ).toBe(false);
  });

  it('selects by ListOfTags alone: any of the tags, and nothing without them', () => {
    const byTags = selection({ anyOfTags: [production, backedUp] });
    expect(
      backupSelectionSelects(byTags, {
        resourceArn: rds,
        tags: { 'kler:backup': 'true' },
      }),
    ).toBe(true);
    expect(backupSelectionSelects(byTags, { resourceArn: rds, tags: {} })).toBe(
      false,
    );
    expect(backupSelectionSelects(byTags, { resourceArn: rds })).toBe(false);
  });

  it('takes Resources OR ListOfTags', () => {
    const either = selection({
      resources: ['arn:aws:rds:*:*:db:*'],
      anyOfTags: [backedUp],
    });
    expect(backupSelectionSelects(either, { resourceArn: rds })).toBe(true);
    expect(
      backupSelectionSelects(either, {
        resourceArn: efs,
        tags: { 'kler:backup': 'true' },
      }),
    ).toBe(true);
    expect(backupSelectionSelects(either, { resourceArn: efs })).toBe(false);
  });

  it('excludes NotResources, even when tags select them', () => {
    const excluding = selection({
      anyOfTags: [backedUp],
      notResources: ['arn:aws:elasticfilesystem:*'],
    });
    expect(
      backupSelectionSelects(excluding, {
        resourceArn: efs,
        tags: { 'kler:backup': 'true' },
      }),
    ).toBe(false);
    expect(
      backupSelectionSelects(excluding, {
        resourceArn: rds,
        tags: { 'kler:backup': 'true' },
      }),
    ).toBe(true);
  });

  it('tests StringLike, StringNotEquals and StringNotLike conditions', () => {
    const like = selection({
      conditions: {
        stringLike: [{ key: 'kler:environment', value: 'prod*' }],
        stringNotEquals: [{ key: 'kler:backup', value: 'false' }],
        stringNotLike: [{ key: 'Name', value: '*-scratch' }],
      },
    });
    const tags = { 'kler:environment': 'production', Name: 'shop-media' };
    expect(backupSelectionSelects(like, { resourceArn: efs, tags })).toBe(true);
    expect(
      backupSelectionSelects(like, {
        resourceArn: efs,
        tags: { ...tags, 'kler:backup': 'false' },
      }),
    ).toBe(false);
    expect(
      backupSelectionSelects(like, {
        resourceArn: efs,
        tags: { ...tags, Name: 'media-scratch' },
      }),
    ).toBe(false);
    expect(
      backupSelectionSelects(like, {
        resourceArn: efs,
        tags: { 'kler:environment': 'development' },
      }),
    ).toBe(false);
  });

  it('selects every resource when a selection names nothing (as AWS Backup does)', () => {
    expect(backupSelectionSelects(selection({}), { resourceArn: rds })).toBe(
      true,
    );
  });
});

describe('backupPlanSelects', () => {
  const plan = (parts: Partial<BackupPlan>): BackupPlan => ({
    backupPlanId: 'p',
    backupPlanName: 'daily',
    rules: [],
    resourceArns: [],
    ...parts,
  });

  it('decides by any selection', () => {
    const twoSelections = plan({
      selections: [
        selection({ resources: [rds] }),
        selection({ anyOfTags: [backedUp] }),
      ],
    });
    expect(backupPlanSelects(twoSelections, { resourceArn: rds })).toBe(true);
    expect(
      backupPlanSelects(twoSelections, {
        resourceArn: efs,
        tags: { 'kler:backup': 'true' },
      }),
    ).toBe(true);
    expect(backupPlanSelects(twoSelections, { resourceArn: efs })).toBe(false);
  });

  it('falls back to the resource ARNs of a plan read without its criteria', () => {
    expect(
      backupPlanSelects(plan({ resourceArns: ['arn:aws:rds:*'] }), {
        resourceArn: rds,
      }),
    ).toBe(true);
    expect(
      backupPlanSelects(plan({ resourceArns: [rds] }), { resourceArn: efs }),
    ).toBe(false);
  });

  it('lists the tag keys the selections test', () => {
    expect([
      ...backupSelectionTagKeys([
        plan({
          selections: [
            selection({
              anyOfTags: [backedUp],
              conditions: { stringNotLike: [{ key: 'Name', value: '*' }] },
            }),
          ],
        }),
        plan({}),
      ]),
    ]).toEqual(['kler:backup', 'Name']);
  });
});
