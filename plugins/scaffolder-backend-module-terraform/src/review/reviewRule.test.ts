import { configurationOf } from './__testUtils__/configurations';
import { resourcesOfType } from './configuration';
import { ConfigurationEvaluator } from './evaluation';
import { UnknownValue } from './values';
import {
  ReviewRule,
  createdResources,
  describeValue,
  isOffOrUnset,
  isTrue,
  knownTier,
  presentBlocks,
  productionEvaluator,
  productionWording,
  runReviewRules,
} from './reviewRule';

describe('runReviewRules', () => {
  it("gives each finding its rule's id, in file and line order", async () => {
    const configuration = await configurationOf({});
    const at = (file: string, line?: number) => ({ module: '', file, line });
    const rule = (id: string, lines: Array<[string, number?]>): ReviewRule => ({
      id,
      checks: id,
      review: () =>
        lines.map(([file, line]) => ({
          severity: 'warning',
          at: at(file, line),
          resource: 'x',
          message: 'm',
          fix: 'f',
        })),
    });
    const problems = runReviewRules(configuration, [
      rule('b', [['main.tf', 9]]),
      rule('a', [['modules/x/main.tf', 1], ['main.tf', 9], ['main.tf']]),
    ]);
    expect(
      problems.map(problem => [problem.file, problem.line, problem.rule]),
    ).toEqual([
      ['main.tf', undefined, 'a'],
      ['main.tf', 9, 'a'],
      ['main.tf', 9, 'b'],
      ['modules/x/main.tf', 1, 'a'],
    ]);
    expect(problems[0]).toEqual({
      source: 'review',
      rule: 'a',
      severity: 'warning',
      file: 'main.tf',
      resource: 'x',
      message: 'm',
      fix: 'f',
    });
  });
});

describe('the tier', () => {
  const files = {
    'main.tf': 'variable "tier" {\n  type = string\n}\n',
  };

  it('comes from the values file', async () => {
    expect(
      knownTier(await configurationOf(files, { tier: 'production' })),
    ).toBe('production');
    expect(knownTier(await configurationOf(files))).toBeUndefined();
  });

  it('production rules evaluate var.tier as production, unless the values say another tier', async () => {
    const unknown = await configurationOf(files);
    expect(productionEvaluator(unknown)?.evaluate('', '${var.tier}')).toBe(
      'production',
    );
    expect(productionWording(unknown)).toContain('reviewed as production');
    expect(
      productionEvaluator(
        await configurationOf(files, { tier: 'development' }),
      ),
    ).toBeUndefined();
    expect(
      productionWording(await configurationOf(files, { tier: 'production' })),
    ).toBe('in this production environment');
  });
});

describe('helpers', () => {
  it('reads booleans as Terraform does', () => {
    expect(isTrue(true)).toBe(true);
    expect(isTrue('true')).toBe(true);
    expect(isTrue(new UnknownValue('var.x', ''))).toBe(false);
    expect([undefined, null, false, 'false'].every(isOffOrUnset)).toBe(true);
    expect(isOffOrUnset(new UnknownValue('var.x', ''))).toBe(false);
  });

  it('describes values for messages', () => {
    expect(describeValue(undefined)).toBe('not set');
    expect(describeValue('HTTP')).toBe('"HTTP"');
    expect(
      describeValue([{ a: new UnknownValue('aws_lb.this.arn', '') }, 1]),
    ).toBe('[{ "a" = aws_lb.this.arn }, 1]');
  });

  it('leaves out resources and dynamic blocks that are certainly not created', async () => {
    const configuration = await configurationOf({
      'main.tf': `
resource "aws_sns_topic" "never" {
  count = 0
}
resource "aws_sns_topic" "maybe" {
  count = var.alarms ? 1 : 0
}
resource "aws_ecs_task_definition" "this" {
  dynamic "volume" {
    for_each = []
    content {
      name = "none"
    }
  }
  dynamic "volume" {
    for_each = var.volumes
    content {
      name = "maybe"
    }
  }
}
`,
    });
    const evaluator = new ConfigurationEvaluator(configuration);
    expect(
      createdResources(evaluator, 'aws_sns_topic').map(topic => topic.name),
    ).toEqual(['maybe']);
    const [task] = resourcesOfType(configuration, 'aws_ecs_task_definition');
    expect(presentBlocks(evaluator, '', task.attributes, 'volume')).toEqual([
      { name: 'maybe' },
    ]);
  });
});
