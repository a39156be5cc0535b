import { configurationOf } from './__testUtils__/configurations';
import { ConfigurationEvaluator } from './evaluation';
import { jsonDocument } from './jsonDocuments';
import { UnknownValue } from './values';

describe('jsonDocument', () => {
  const evaluatorOf = async (files: Record<string, string> = {}) =>
    new ConfigurationEvaluator(await configurationOf(files));

  it('reads the argument of jsonencode, unknown parts included', async () => {
    expect(
      jsonDocument(
        await evaluatorOf(),
        'm',
        '${jsonencode({ Statement = [{ Effect = "Deny", Resource = aws_efs_file_system.this.arn }] })}',
      ),
    ).toEqual({
      Statement: [
        {
          Effect: 'Deny',
          Resource: new UnknownValue('aws_efs_file_system.this.arn', 'm'),
        },
      ],
    });
  });

  it('reads JSON text with interpolations, as heredocs give it', async () => {
    const evaluator = await evaluatorOf();
    expect(
      jsonDocument(
        evaluator,
        'm',
        '[{"name": "app", "cpu": ${1 + 1}, "image": "${var.image}", "x": "a-${var.b}"}]\n',
      ),
    ).toEqual([
      {
        name: 'app',
        cpu: 2,
        image: new UnknownValue('var.image', 'm'),
        x: new UnknownValue('a-${var.b}', 'm'),
      },
    ]);
    expect(jsonDocument(evaluator, 'm', '{"a": 1}')).toEqual({ a: 1 });
    expect(jsonDocument(evaluator, 'm', 'not json')).toBeUndefined();
    expect(jsonDocument(evaluator, 'm', 42)).toBeUndefined();
  });

  it('reads a JSON string a variable holds', async () => {
    const evaluator = await evaluatorOf({
      'main.tf':
        'variable "policy" {\n  default = "{\\"Version\\": \\"2012-10-17\\"}"\n}\n',
    });
    expect(jsonDocument(evaluator, '', '${var.policy}')).toEqual({
      Version: '2012-10-17',
    });
  });

  it('reads the statements of an aws_iam_policy_document of the same module', async () => {
    const document = `
data "aws_iam_policy_document" "this" {
  statement {
    actions = ["s3:GetObject"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
  statement {
    effect  = "Deny"
    actions = ["*"]
  }
}
`;
    const evaluator = await evaluatorOf({ 'modules/a/main.tf': document });
    const policy = '${data.aws_iam_policy_document.this.json}';
    expect(jsonDocument(evaluator, 'modules/a', policy)).toEqual({
      Statement: [
        {
          Effect: 'Allow',
          Action: ['s3:GetObject'],
          Principal: { AWS: ['*'] },
        },
        { Effect: 'Deny', Action: ['*'], Principal: {} },
      ],
    });
    expect(jsonDocument(evaluator, '', policy)).toBeUndefined();
  });

  it('does not read a document that merges in others', async () => {
    const evaluator = await evaluatorOf({
      'main.tf': `
data "aws_iam_policy_document" "this" {
  source_policy_documents = [var.base]
  statement {
    effect  = "Deny"
    actions = ["*"]
  }
}
`,
    });
    expect(
      jsonDocument(evaluator, '', '${data.aws_iam_policy_document.this.json}'),
    ).toBeUndefined();
  });
});
