import { SnapshotCopies } from './SnapshotCopies';

describe('SnapshotCopies', () => {
  it('gives the copy of a version only', () => {
    const copies = new SnapshotCopies<{ version: string }>({ enabled: true });
    const state = { version: 'v1' };
    copies.set('production', state);
    expect(copies.get('production', 'v1')).toBe(state);
    expect(copies.get('production', 'v2')).toBeUndefined();
    copies.delete('production');
    expect(copies.get('production', 'v1')).toBeUndefined();
  });

  it('keeps nothing when switched off', () => {
    const copies = new SnapshotCopies<{ version: string }>({ enabled: false });
    copies.set('production', { version: 'v1' });
    expect(copies.get('production', 'v1')).toBeUndefined();
  });
});
