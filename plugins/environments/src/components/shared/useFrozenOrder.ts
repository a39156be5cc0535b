import { useRef } from 'react';

export interface OrderedItem<T> {
  item: T;
  /** Gone from the latest answer, kept in place while the order is frozen. */
  gone: boolean;
}

/**
 * The items in the order given, unless `frozen`: then in the order they had
 * when the freeze began, items that are gone kept in their place and new ones
 * added at the end. The views freeze while the pointer or the focus is on
 * them, so that an auto-refresh never moves the row the reader is on.
 */
export function useFrozenOrder<T>(
  items: T[],
  keyOf: (item: T) => string,
  frozen: boolean,
): OrderedItem<T>[] {
  const previous = useRef<OrderedItem<T>[]>([]);
  const previousItems = useRef<T[]>();
  if (!frozen) {
    // The same answer gives the same array, so that memoized rows stay put.
    if (previousItems.current !== items) {
      previousItems.current = items;
      previous.current = items.map(item => ({ item, gone: false }));
    }
    return previous.current;
  }
  previousItems.current = undefined;
  const latest = new Map(items.map(item => [keyOf(item), item]));
  const result: OrderedItem<T>[] = [];
  const placed = new Set<string>();
  for (const entry of previous.current) {
    const key = keyOf(entry.item);
    const current = latest.get(key);
    result.push(
      current
        ? { item: current, gone: false }
        : { item: entry.item, gone: true },
    );
    placed.add(key);
  }
  for (const item of items) {
    if (!placed.has(keyOf(item))) result.push({ item, gone: false });
  }
  previous.current = result;
  return result;
}

/**
 * Handlers that say whether the pointer or the keyboard focus is inside an
 * element, for {@link useFrozenOrder}.
 */
export function useHoldWhileInside(onChange: (inside: boolean) => void): {
  onPointerEnter: () => void;
  onPointerLeave: () => void;
  onFocus: () => void;
  onBlur: (event: React.FocusEvent) => void;
} {
  const state = useRef({ pointer: false, focus: false });
  const update = (next: Partial<typeof state.current>) => {
    const before = state.current.pointer || state.current.focus;
    state.current = { ...state.current, ...next };
    const after = state.current.pointer || state.current.focus;
    if (before !== after) onChange(after);
  };
  return {
    onPointerEnter: () => update({ pointer: true }),
    onPointerLeave: () => update({ pointer: false }),
    onFocus: () => update({ focus: true }),
    onBlur: (event: React.FocusEvent) => {
      const next = event.relatedTarget as Node | null;
      if (!next || !(event.currentTarget as Node).contains(next)) {
        update({ focus: false });
      }
    },
  };
}
