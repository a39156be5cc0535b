/** The tokens of HCL expressions, for `hclExpressions.ts`. */

/** Text the reader cannot read: the expression becomes opaque. */
export class HclSyntaxError extends Error {}

export interface Token {
  type: 'number' | 'string' | 'name' | 'punct' | 'end';
  value: string;
  start: number;
  end: number;
}

const PUNCTUATION = [
  '...',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '=>',
  ...'!<>+-*/%?:()[]{},.='.split(''),
];

/** The end (index after the closing quote) of a string starting at `start` (its quote). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const char = text[i];
    if (char === '\\') {
      i += 2;
    } else if (char === '"') {
      return i + 1;
    } else if ((char === '$' || char === '%') && text[i + 1] === '{') {
      if (text[i - 1] === char && text[i - 2] !== char) {
        // `$${` and `%%{` are escapes of a literal `${` and `%{`.
        i += 2;
      } else {
        i = interpolationEnd(text, i + 2);
      }
    } else {
      i++;
    }
  }
  throw new HclSyntaxError('unterminated string');
}

/** The index after the `}` that closes an interpolation whose text starts at `start`. */
export function interpolationEnd(text: string, start: number): number {
  let depth = 1;
  let i = start;
  while (i < text.length) {
    const char = text[i];
    if (char === '"') {
      i = stringEnd(text, i);
      continue;
    }
    if (char === '{') depth++;
    if (char === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  throw new HclSyntaxError('unterminated interpolation');
}

/** The tokens of an expression's text; comments and whitespace dropped. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const space = /^(?:\s+|#[^\n]*|\/\/[^\n]*|\/\*[\s\S]*?\*\/)/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    if (rest.startsWith('<<')) throw new HclSyntaxError('heredoc');
    const number = /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(rest);
    const name = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(rest);
    if (number || name) {
      const value = (number ?? name)![0];
      tokens.push({
        type: number ? 'number' : 'name',
        value,
        start: i,
        end: i + value.length,
      });
      i += value.length;
      continue;
    }
    if (text[i] === '"') {
      const end = stringEnd(text, i);
      tokens.push({
        type: 'string',
        value: text.slice(i + 1, end - 1),
        start: i,
        end,
      });
      i = end;
      continue;
    }
    const punct = PUNCTUATION.find(p => rest.startsWith(p));
    if (!punct) throw new HclSyntaxError(`unexpected ${text[i]}`);
    tokens.push({
      type: 'punct',
      value: punct,
      start: i,
      end: i + punct.length,
    });
    i += punct.length;
  }
  tokens.push({ type: 'end', value: '', start: i, end: i });
  return tokens;
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  '"': '"',
  '\\': '\\',
};

/** A quoted string's text with its backslash escapes read. */
export function unescape(text: string): string {
  return text.replace(
    /\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g,
    (_match, code: string) =>
      code.length > 1
        ? String.fromCodePoint(parseInt(code.slice(1), 16))
        : ESCAPES[code] ?? code,
  );
}
