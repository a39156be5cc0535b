import { renderHook } from '@testing-library/react';
import { useFrozenOrder } from './useFrozenOrder';

type Item = { id: string; value: number };
const keyOf = (item: Item) => item.id;

describe('useFrozenOrder', () => {
  it('gives the items as given while not frozen, the same array for the same answer', () => {
    const items = [
      { id: 'a', value: 1 },
      { id: 'b', value: 2 },
    ];
    const { result, rerender } = renderHook(
      ({ list }) => useFrozenOrder(list, keyOf, false),
      { initialProps: { list: items } },
    );
    const first = result.current;
    expect(first.map(o => o.item.id)).toEqual(['a', 'b']);
    rerender({ list: items });
    expect(result.current).toBe(first);
  });

  it('keeps the order it had when frozen: new items at the end, gone ones in place', () => {
    const { result, rerender } = renderHook(
      ({ list, frozen }) => useFrozenOrder(list, keyOf, frozen),
      {
        initialProps: {
          list: [
            { id: 'a', value: 1 },
            { id: 'b', value: 2 },
            { id: 'c', value: 3 },
          ],
          frozen: false,
        },
      },
    );
    rerender({
      list: [
        { id: 'd', value: 4 },
        { id: 'c', value: 30 },
        { id: 'a', value: 10 },
      ],
      frozen: true,
    });
    expect(result.current.map(o => [o.item.id, o.item.value, o.gone])).toEqual([
      ['a', 10, false],
      ['b', 2, true],
      ['c', 30, false],
      ['d', 4, false],
    ]);
    rerender({
      list: [
        { id: 'd', value: 4 },
        { id: 'c', value: 30 },
        { id: 'a', value: 10 },
      ],
      frozen: false,
    });
    expect(result.current.map(o => o.item.id)).toEqual(['d', 'c', 'a']);
  });
});
