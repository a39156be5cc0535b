import { stringifyJsonWire } from './wire';

describe('JSON wire format', () => {
  it('writes timestamps as epoch seconds and leaves out undefined members', () => {
    const body = stringifyJsonWire({
      createdAt: new Date(Date.UTC(2026, 10, 26, 19, 30, 0, 500)),
      missing: undefined,
      nested: [{ at: new Date(0), none: undefined, count: 3 }],
      list: [new Date(1000), 'x'],
      nothing: null,
    });
    expect(JSON.parse(body)).toEqual({
      createdAt: 1795721400.5,
      nested: [{ at: 0, count: 3 }],
      list: [1, 'x'],
      nothing: null,
    });
    expect(body).not.toContain('missing');
    expect(body).not.toContain('none');
  });
});
