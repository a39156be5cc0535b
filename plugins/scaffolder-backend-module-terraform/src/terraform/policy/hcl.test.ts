import {
  bodies,
  callArguments,
  expressionsOf,
  headerPattern,
  lineOf,
  splitArguments,
} from './hcl';

describe('hcl', () => {
  it('reads blocks given as a list per label or as one object', () => {
    expect(bodies([{ a: 1 }, 'x', [1]])).toEqual([{ a: 1 }]);
    expect(bodies({ a: 1 })).toEqual([{ a: 1 }]);
    expect(bodies(undefined)).toEqual([]);
  });

  it('finds expressions in strings, lists and object keys, not in the literal text before them', () => {
    expect([
      ...expressionsOf({
        description: 'plain text (file)',
        value: 'prefix ${file("x")}',
        list: ['%{for f in y}${f}%{endfor}'],
        '${(filemd5("k"))}': 1,
      }),
    ]).toEqual([
      '${file("x")}',
      '%{for f in y}${f}%{endfor}',
      '${(filemd5("k"))}',
    ]);
  });

  it("reads a call's arguments to its closing parenthesis, skipping strings", () => {
    const expression = '${file(join("/", [")", x]), y) + 1}';
    expect(callArguments(expression, '${file('.length)).toBe(
      'join("/", [")", x]), y',
    );
    expect(splitArguments('join("/", [")", x]), y')).toEqual([
      'join("/", [")", x])',
      'y',
    ]);
  });

  it("finds the line of a block's header or of an exact text", () => {
    const text =
      'locals {}\n\nresource "aws_s3_bucket" "b" {\n  x = file("y")\n}\n';
    expect(lineOf(text, headerPattern('resource', 'aws_s3_bucket', 'b'))).toBe(
      3,
    );
    expect(lineOf(text, 'file("y")')).toBe(4);
    expect(lineOf(text, headerPattern('module', 'm'))).toBeUndefined();
  });
});
