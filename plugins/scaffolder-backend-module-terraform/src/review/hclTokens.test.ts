import { interpolationEnd, tokenize, unescape } from './hclTokens';

describe('tokenize', () => {
  it('gives numbers, strings, names and punctuation with their places', () => {
    expect(
      tokenize('var.x >= 1.5 ? "a${b}" : c-d').map(token => [
        token.type,
        token.value,
      ]),
    ).toEqual([
      ['name', 'var'],
      ['punct', '.'],
      ['name', 'x'],
      ['punct', '>='],
      ['number', '1.5'],
      ['punct', '?'],
      ['string', 'a${b}'],
      ['punct', ':'],
      // HCL names may hold dashes.
      ['name', 'c-d'],
      ['end', ''],
    ]);
  });

  it('drops comments and keeps strings with nested quotes whole', () => {
    expect(
      tokenize('# x\n"${merge({ a = "}" })}" /* y */ // z').map(
        token => token.value,
      ),
    ).toEqual(['${merge({ a = "}" })}', '']);
  });

  it('refuses heredocs, unterminated strings and unknown characters', () => {
    expect(() => tokenize('<<EOT\nx\nEOT')).toThrow('heredoc');
    expect(() => tokenize('"abc')).toThrow('unterminated string');
    expect(() => tokenize('a ; b')).toThrow('unexpected ;');
  });
});

describe('interpolationEnd', () => {
  it('finds the closing brace past objects and strings', () => {
    const text = '${ { a = "}" } }rest';
    expect(text.slice(interpolationEnd(text, 2))).toBe('rest');
  });
});

describe('unescape', () => {
  it('reads HCL escapes', () => {
    expect(unescape('a\\"b\\\\c\\n\\t\\u00e9\\U0001F600')).toBe(
      'a"b\\c\n\té😀',
    );
  });
});
