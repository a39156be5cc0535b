import { HCL_FUNCTIONS, applyOperator } from './hclFunctions';
import { UnknownValue } from './values';

describe('HCL_FUNCTIONS', () => {
  it('computes the functions as Terraform does', () => {
    expect(HCL_FUNCTIONS.merge([{ a: 1, b: 1 }, { b: 2 }])).toEqual({
      a: 1,
      b: 2,
    });
    expect(HCL_FUNCTIONS.concat([[1], [2, 3]])).toEqual([1, 2, 3]);
    expect(HCL_FUNCTIONS.length([{ a: 1, b: 2 }])).toBe(2);
    expect(HCL_FUNCTIONS.length(['héllo'])).toBe(5);
    expect(HCL_FUNCTIONS.keys([{ b: 1, a: 2 }])).toEqual(['a', 'b']);
    expect(HCL_FUNCTIONS.values([{ b: 1, a: 2 }])).toEqual([2, 1]);
    expect(HCL_FUNCTIONS.contains([['a', 'b'], 'b'])).toBe(true);
    expect(HCL_FUNCTIONS.coalesce([null, '', 'x'])).toBe('x');
    expect(HCL_FUNCTIONS.toset([[1, 1, 2]])).toEqual([1, 2]);
    expect(HCL_FUNCTIONS.tonumber(['42'])).toBe(42);
    expect(HCL_FUNCTIONS.tobool(['false'])).toBe(false);
    expect(HCL_FUNCTIONS.jsonencode([{ a: [1] }])).toBe('{"a":[1]}');
  });

  it('gives undefined where the result is not known or the arguments are wrong', () => {
    const unknown = new UnknownValue('aws_lb.this.arn', '');
    expect(HCL_FUNCTIONS.merge([{ a: 1 }, 'x'])).toBeUndefined();
    expect(HCL_FUNCTIONS.contains([[unknown], 'x'])).toBeUndefined();
    expect(HCL_FUNCTIONS.coalesce([null, unknown])).toBeUndefined();
    expect(HCL_FUNCTIONS.jsonencode([{ a: unknown }])).toBeUndefined();
    expect(HCL_FUNCTIONS.tonumber(['x'])).toBeUndefined();
  });
});

describe('applyOperator', () => {
  it('compares, combines and computes', () => {
    expect(applyOperator('==', 'production', 'production')).toBe(true);
    expect(applyOperator('!=', { a: 1 }, { a: 1 })).toBe(false);
    expect(applyOperator('&&', true, false)).toBe(false);
    expect(applyOperator('||', true, false)).toBe(true);
    expect(applyOperator('>=', 3, 2)).toBe(true);
    expect(applyOperator('*', 10, 3)).toBe(30);
    expect(applyOperator('%', 10, 3)).toBe(1);
  });

  it('gives undefined for unknown operands and impossible operations', () => {
    const unknown = new UnknownValue('var.x', 'm');
    expect(applyOperator('==', unknown, 'x')).toBeUndefined();
    expect(applyOperator('&&', true, unknown)).toBeUndefined();
    expect(applyOperator('+', 1, '1')).toBeUndefined();
    expect(applyOperator('/', 1, 0)).toBeUndefined();
  });
});
