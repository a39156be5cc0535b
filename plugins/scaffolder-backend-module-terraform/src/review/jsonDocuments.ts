import { blocksOf } from './configuration';
import { ConfigurationEvaluator } from './evaluation';
import { HclNode, parseTemplate } from './hclExpressions';
import { UnknownValue, Value, isObject } from './values';

/**
 * The document a JSON attribute holds (an IAM policy, container
 * definitions), with unknown parts where it has them: the argument of
 * `jsonencode(...)`; a JSON string (a heredoc too) whose interpolations
 * become their values; the statements of an `aws_iam_policy_document` the
 * attribute names. Undefined when it is none of these.
 */
export function jsonDocument(
  evaluator: ConfigurationEvaluator,
  module: string,
  raw: unknown,
): Value | undefined {
  if (typeof raw !== 'string') return undefined;
  const node = parseTemplate(raw);
  if (
    node.kind === 'call' &&
    node.name === 'jsonencode' &&
    node.args.length === 1
  ) {
    return evaluator.evaluateNode(module, node.args[0]);
  }
  const statements = policyDocument(evaluator, module, node);
  if (statements) return statements;
  if (node.kind === 'template') {
    return parseJsonTemplate(evaluator, module, node.parts);
  }
  const value = evaluator.evaluateNode(module, node);
  return typeof value === 'string' ? parseJson(value) : undefined;
}

/** JSON text with interpolations: each becomes its value (unknown inside a longer string). */
function parseJsonTemplate(
  evaluator: ConfigurationEvaluator,
  module: string,
  parts: Array<string | HclNode>,
): Value | undefined {
  const values = new Map<string, Value>();
  const expressions = new Map<string, string>();
  const placeholder = (index: number) => `@@kler-review-${index}@@`;
  parts.forEach((part, index) => {
    if (typeof part === 'string') return;
    values.set(placeholder(index), evaluator.evaluateNode(module, part));
    expressions.set(placeholder(index), `\${${part.text}}`);
  });
  // A placeholder inside a JSON string stays bare; one that is a JSON
  // value of its own (`"cpu": ${var.cpu}`) becomes a string.
  let inString = false;
  const text = parts
    .map((part, index) => {
      if (typeof part !== 'string') {
        return inString ? placeholder(index) : `"${placeholder(index)}"`;
      }
      for (let i = 0; i < part.length; i++) {
        if (part[i] === '\\') i++;
        else if (part[i] === '"') inString = !inString;
      }
      return part;
    })
    .join('');
  const parsed = parseJson(text);
  const restore = (value: Value): Value => {
    if (typeof value === 'string') {
      if (values.has(value)) return values.get(value)!;
      return /@@kler-review-\d+@@/.test(value)
        ? new UnknownValue(
            value.replace(
              /@@kler-review-\d+@@/g,
              match => expressions.get(match) ?? match,
            ),
            module,
          )
        : value;
    }
    if (Array.isArray(value)) return value.map(restore);
    if (isObject(value)) {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, restore(item)]),
      );
    }
    return value;
  };
  return parsed === undefined ? undefined : restore(parsed);
}

/** `data.aws_iam_policy_document.<name>.json` as `{ Statement: [...] }`. */
function policyDocument(
  evaluator: ConfigurationEvaluator,
  module: string,
  node: HclNode,
): Value | undefined {
  if (
    node.kind !== 'attribute' ||
    !['json', 'minified_json'].includes(node.name) ||
    node.object.kind !== 'attribute' ||
    node.object.object.kind !== 'attribute' ||
    node.object.object.name !== 'aws_iam_policy_document' ||
    node.object.object.object.kind !== 'name' ||
    node.object.object.object.name !== 'data'
  ) {
    return undefined;
  }
  const name = node.object.name;
  const document = (
    evaluator.configuration.dataSources.get('aws_iam_policy_document') ?? []
  ).find(source => source.module === module && source.name === name);
  // Statements merged in from other documents are not read.
  if (
    !document ||
    'source_policy_documents' in document.attributes ||
    'override_policy_documents' in document.attributes
  ) {
    return undefined;
  }
  const evaluate = (raw: unknown) => evaluator.evaluate(module, raw);
  return {
    Statement: blocksOf(document.attributes, 'statement').map(statement => {
      const principals: Array<[string, Value]> = [];
      for (const principal of blocksOf(statement, 'principals')) {
        const type = evaluate(principal.type);
        if (typeof type === 'string') {
          principals.push([type, evaluate(principal.identifiers)]);
        }
      }
      return {
        // The data source's default effect.
        Effect: 'effect' in statement ? evaluate(statement.effect) : 'Allow',
        Action: 'actions' in statement ? evaluate(statement.actions) : [],
        Principal: Object.fromEntries(principals),
      };
    }),
  };
}

function parseJson(text: string): Value | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
