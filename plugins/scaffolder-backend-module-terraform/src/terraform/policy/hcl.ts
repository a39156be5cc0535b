/**
 * Reading what `@cdktf/hcl2json` gives: the blocks of a body, the
 * expressions in it and the arguments of a call, and the line of a block's
 * header in the file's text (hcl2json keeps no positions).
 */

/** A parsed block body, as hcl2json gives it. */
export type Body = Record<string, unknown>;

/** The blocks of one kind: hcl2json gives a list per label, JSON syntax may not. */
export function bodies(value: unknown): Body[] {
  if (Array.isArray(value)) return value.filter(isBody);
  return isBody(value) ? [value] : [];
}

export function isBody(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The expressions in a parsed body: hcl2json writes each as `${...}` inside a
 * string, object keys included (`{ (file("x")) = 1 }`). Literal text before a
 * string's first `${` or `%{` is data, not code.
 */
export function* expressionsOf(value: unknown): Generator<string> {
  if (typeof value === 'string') {
    const starts = [value.indexOf('${'), value.indexOf('%{')].filter(
      index => index >= 0,
    );
    if (starts.length > 0) yield value.slice(Math.min(...starts));
  } else if (Array.isArray(value)) {
    for (const item of value) yield* expressionsOf(item);
  } else if (isBody(value)) {
    for (const [key, item] of Object.entries(value)) {
      yield* expressionsOf(key);
      yield* expressionsOf(item);
    }
  }
}

/** The text of a call's arguments, from just after `(` to its closing `)`. */
export function callArguments(expression: string, start: number): string {
  let depth = 1;
  let inString = false;
  for (let i = start; i < expression.length; i++) {
    const char = expression[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '(') {
      depth++;
    } else if (char === ')') {
      depth--;
      if (depth === 0) return expression.slice(start, i);
    }
  }
  return expression.slice(start);
}

/** The top-level arguments in the text of a call's arguments. */
export function splitArguments(args: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < args.length; i++) {
    const char = args[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if ('([{'.includes(char)) {
      depth++;
    } else if (')]}'.includes(char)) {
      depth--;
    } else if (char === ',' && depth === 0) {
      parts.push(args.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(args.slice(start).trim());
  return parts;
}

/** The line of a block's header (or of an exact text) in the file, when it can be found. */
export function lineOf(
  text: string,
  header: RegExp | string,
): number | undefined {
  const index =
    typeof header === 'string'
      ? text.indexOf(header)
      : header.exec(text)?.index;
  if (index === undefined || index < 0) return undefined;
  return text.slice(0, index).split('\n').length;
}

export function escapeRegExp(value: string) {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The header of a block with these keyword and labels, at the start of a line. */
export function headerPattern(...labels: string[]) {
  const [keyword, ...rest] = labels;
  return new RegExp(
    `^[ \\t]*${escapeRegExp(keyword)}${rest
      .map(label => `\\s+"?${escapeRegExp(label)}"?`)
      .join('')}\\s*\\{`,
    'm',
  );
}
