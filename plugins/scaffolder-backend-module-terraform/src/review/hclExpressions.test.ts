import { parseExpression, parseTemplate } from './hclExpressions';

describe('parseTemplate', () => {
  it('keeps a string without interpolation as a literal', () => {
    expect(parseTemplate('HTTPS')).toEqual({
      kind: 'literal',
      value: 'HTTPS',
      text: 'HTTPS',
    });
  });

  it('reads a string that is one interpolation as that expression', () => {
    expect(parseTemplate('${var.tier == "production"}')).toMatchObject({
      kind: 'binary',
      op: '==',
      left: { kind: 'attribute', name: 'tier', object: { name: 'var' } },
      right: { kind: 'literal', value: 'production' },
    });
  });

  it('splits text and interpolations', () => {
    expect(parseTemplate('kler-${var.name}-efs')).toMatchObject({
      kind: 'template',
      parts: ['kler-', { kind: 'attribute', name: 'name' }, '-efs'],
    });
  });

  it('reads $${ and %%{ as literal text, as HCL escapes them', () => {
    expect(parseTemplate('a $${b} %%{c}')).toMatchObject({
      kind: 'literal',
      value: 'a ${b} %{c}',
    });
  });

  it('leaves template directives opaque', () => {
    expect(parseTemplate('%{ if var.x }a%{ endif }').kind).toBe('opaque');
  });

  it('finds the end of an interpolation past strings and objects in it', () => {
    expect(parseTemplate('${merge(var.tags, { Name = "}{" })}!')).toMatchObject(
      {
        kind: 'template',
        parts: [{ kind: 'call', name: 'merge' }, '!'],
      },
    );
  });
});

describe('parseExpression', () => {
  it('reads operators with HCL precedence', () => {
    expect(parseExpression('local.production ? 3 : 2')).toMatchObject({
      kind: 'conditional',
      test: { kind: 'attribute', name: 'production' },
      then: { value: 3 },
      otherwise: { value: 2 },
    });
    expect(parseExpression('!a || b && c == 1 + 2 * 3')).toMatchObject({
      op: '||',
      left: { kind: 'unary', op: '!' },
      right: {
        op: '&&',
        right: {
          op: '==',
          right: { op: '+', right: { op: '*' } },
        },
      },
    });
  });

  it('reads references with attributes, indexes and splats', () => {
    expect(parseExpression('module.efs[0].file_system_id')).toMatchObject({
      kind: 'attribute',
      name: 'file_system_id',
      object: {
        kind: 'index',
        key: { value: 0 },
        object: { kind: 'attribute', name: 'efs', object: { name: 'module' } },
      },
    });
    expect(parseExpression('aws_subnet.private[*].id')).toMatchObject({
      kind: 'attribute',
      object: { kind: 'splat' },
    });
  });

  it('reads objects with bare, quoted and parenthesized keys, on several lines', () => {
    const node = parseExpression(`{
      Effect    = "Deny"
      "aws:SecureTransport" = "false",
      (var.key) = 1
    }`);
    expect(node).toMatchObject({
      kind: 'object',
      entries: [
        { key: { value: 'Effect' }, value: { value: 'Deny' } },
        { key: { value: 'aws:SecureTransport' }, value: { value: 'false' } },
        { key: { kind: 'attribute', name: 'key' }, value: { value: 1 } },
      ],
    });
  });

  it('reads for-expressions', () => {
    expect(
      parseExpression(
        '[for key, value in var.env : { name = key, value = value } if key != "X"]',
      ),
    ).toMatchObject({
      kind: 'for',
      keyName: 'key',
      valueName: 'value',
      collection: { kind: 'attribute', name: 'env' },
      value: { kind: 'object' },
      condition: { op: '!=' },
    });
    expect(
      parseExpression('{ for name in var.names : name => 1 }'),
    ).toMatchObject({
      kind: 'for',
      valueName: 'name',
      key: { kind: 'name', name: 'name' },
      value: { value: 1 },
    });
  });

  it('unescapes strings inside expressions', () => {
    expect(parseExpression('"a\\"b\\n\\u00e9"')).toMatchObject({
      kind: 'literal',
      value: 'a"b\né',
    });
  });

  it('skips comments', () => {
    expect(
      parseExpression('[\n  # first\n  1, // second\n  /* third */ 3\n]'),
    ).toMatchObject({ kind: 'tuple', items: [{ value: 1 }, { value: 3 }] });
  });

  it('leaves what it cannot read opaque, with its text', () => {
    expect(parseExpression('<<EOT\nx\nEOT')).toEqual({
      kind: 'opaque',
      text: '<<EOT\nx\nEOT',
    });
    expect(parseExpression('a +').kind).toBe('opaque');
    expect(parseExpression('{ for k, v in x : k => v... }').kind).toBe(
      'opaque',
    );
  });

  it('keeps the source text of each node for messages', () => {
    expect(parseExpression('var.a == "x" ? 1 : 2').text).toBe(
      'var.a == "x" ? 1 : 2',
    );
  });
});
