import { UnknownValue, hasOwn, isKnown, ownValue, sameValue } from './values';

describe('sameValue', () => {
  it('compares known values by content, key order aside', () => {
    expect(sameValue({ a: 1, b: [1] }, { b: [1], a: 1 })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameValue([1, 2], [1])).toBe(false);
    expect(sameValue('1', 1)).toBe(false);
    expect(sameValue(null, null)).toBe(true);
  });

  it('takes one unset variable as equal to itself, and nothing else unknown as known', () => {
    const unknown = (expression: string, module = '') =>
      new UnknownValue(expression, module);
    expect(sameValue(unknown('var.name'), unknown('var.name'))).toBe(true);
    expect(sameValue(unknown('local.tags'), unknown('local.tags'))).toBe(true);
    expect(
      sameValue(unknown('var.name'), unknown('var.name', 'modules/x')),
    ).toBeUndefined();
    expect(sameValue(unknown('each.key'), unknown('each.key'))).toBeUndefined();
    expect(sameValue(unknown('var.x'), 'x')).toBeUndefined();
    // A difference in the known part decides, whatever is unknown.
    expect(sameValue({ a: unknown('x.y') }, { a: 1, b: 2 })).toBe(false);
    expect(sameValue([unknown('x.y'), 1], [1, 1])).toBeUndefined();
  });
});

describe('isKnown', () => {
  it('looks into containers', () => {
    expect(isKnown({ a: [1, 'x', null] })).toBe(true);
    expect(isKnown({ a: [new UnknownValue('x', '')] })).toBe(false);
  });
});

describe('own values', () => {
  it('ignore what objects inherit', () => {
    expect(hasOwn({}, 'constructor')).toBe(false);
    expect(ownValue({ a: 1 }, 'a')).toBe(1);
    expect(ownValue({}, 'toString')).toBeUndefined();
  });
});
