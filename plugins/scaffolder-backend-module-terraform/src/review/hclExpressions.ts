/**
 * A reader for the expressions hcl2json leaves as text (`"${var.x}"`): HCL's
 * expression syntax without heredocs and template directives (`%{ if }`),
 * which become opaque nodes the review does not look into.
 */

import {
  HclSyntaxError,
  Token,
  interpolationEnd,
  tokenize,
  unescape,
} from './hclTokens';

/** A node of an HCL expression, with its source text for messages. */
export type HclNode =
  | {
      kind: 'literal';
      value: string | number | boolean | null;
      text: string;
    }
  | { kind: 'template'; parts: Array<string | HclNode>; text: string }
  /** A root name: `var`, `local`, `module`, `aws_lb`, a for-expression's name... */
  | { kind: 'name'; name: string; text: string }
  | { kind: 'attribute'; object: HclNode; name: string; text: string }
  | { kind: 'index'; object: HclNode; key: HclNode; text: string }
  | { kind: 'splat'; object: HclNode; text: string }
  | { kind: 'call'; name: string; args: HclNode[]; text: string }
  | { kind: 'unary'; op: string; operand: HclNode; text: string }
  | {
      kind: 'binary';
      op: string;
      left: HclNode;
      right: HclNode;
      text: string;
    }
  | {
      kind: 'conditional';
      test: HclNode;
      then: HclNode;
      otherwise: HclNode;
      text: string;
    }
  | { kind: 'tuple'; items: HclNode[]; text: string }
  | {
      kind: 'object';
      entries: Array<{ key: HclNode; value: HclNode }>;
      text: string;
    }
  | {
      kind: 'for';
      keyName?: string;
      valueName: string;
      collection: HclNode;
      /** Set for an object-producing for (`{ for k, v in x : k => v }`). */
      key?: HclNode;
      value: HclNode;
      condition?: HclNode;
      text: string;
    }
  /** Text the reader does not look into: heredocs, template directives, `...`. */
  | { kind: 'opaque'; text: string };

/**
 * Reads a template: the text of a quoted string (`escaped`: its backslash
 * escapes still to read) or a string hcl2json gave (already unescaped).
 */
export function parseTemplate(content: string, escaped = false): HclNode {
  const parts: Array<string | HclNode> = [];
  let literal = '';
  let i = 0;
  let literalStart = 0;
  const flush = (end: number) => {
    const raw = content.slice(literalStart, end);
    literal += escaped ? unescape(raw) : raw;
  };
  while (i < content.length) {
    const two = content.slice(i, i + 3);
    if (two === '$${' || two === '%%{') {
      flush(i);
      literal += `${two[0]}{`;
      i += 3;
      literalStart = i;
    } else if (two.startsWith('%{')) {
      return { kind: 'opaque', text: content };
    } else if (two.startsWith('${')) {
      flush(i);
      if (literal) parts.push(literal);
      literal = '';
      const end = interpolationEnd(content, i + 2);
      const inner = content
        .slice(i + 2, end - 1)
        .replace(/^~/, '')
        .replace(/~$/, '');
      parts.push(parseExpression(inner));
      i = end;
      literalStart = i;
    } else {
      i += content[i] === '\\' && escaped ? 2 : 1;
    }
  }
  flush(content.length);
  if (literal) parts.push(literal);
  if (parts.length === 1 && typeof parts[0] !== 'string') return parts[0];
  if (parts.every(part => typeof part === 'string')) {
    return { kind: 'literal', value: parts.join(''), text: content };
  }
  return { kind: 'template', parts, text: content };
}

const BINARY_LEVELS = [
  ['||'],
  ['&&'],
  ['==', '!='],
  ['<', '>', '<=', '>='],
  ['+', '-'],
  ['*', '/', '%'],
];

class Parser {
  private readonly tokens: Token[];
  private position = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
  }

  parseAll(): HclNode {
    const node = this.expression();
    if (this.peek().type !== 'end') {
      throw new HclSyntaxError(`unexpected ${this.peek().value}`);
    }
    return node;
  }

  private peek(offset = 0) {
    return this.tokens[
      Math.min(this.position + offset, this.tokens.length - 1)
    ];
  }

  private next() {
    return this.tokens[this.position++];
  }

  private isPunct(value: string, offset = 0) {
    const token = this.peek(offset);
    return token.type === 'punct' && token.value === value;
  }

  private expect(value: string) {
    if (!this.isPunct(value)) {
      throw new HclSyntaxError(`expected ${value}, found ${this.peek().value}`);
    }
    return this.next();
  }

  private textFrom(start: number) {
    return this.text.slice(start, this.tokens[this.position - 1].end).trim();
  }

  private expression(): HclNode {
    const start = this.peek().start;
    const test = this.binary(0);
    if (!this.isPunct('?')) return test;
    this.next();
    const then = this.expression();
    this.expect(':');
    const otherwise = this.expression();
    return {
      kind: 'conditional',
      test,
      then,
      otherwise,
      text: this.textFrom(start),
    };
  }

  private binary(level: number): HclNode {
    if (level === BINARY_LEVELS.length) return this.unary();
    const start = this.peek().start;
    let left = this.binary(level + 1);
    while (
      this.peek().type === 'punct' &&
      BINARY_LEVELS[level].includes(this.peek().value)
    ) {
      const op = this.next().value;
      const right = this.binary(level + 1);
      left = { kind: 'binary', op, left, right, text: this.textFrom(start) };
    }
    return left;
  }

  private unary(): HclNode {
    if (this.isPunct('!') || this.isPunct('-')) {
      const start = this.peek().start;
      const op = this.next().value;
      const operand = this.unary();
      return { kind: 'unary', op, operand, text: this.textFrom(start) };
    }
    return this.postfix();
  }

  private postfix(): HclNode {
    const start = this.peek().start;
    let node = this.primary();
    for (;;) {
      if (this.isPunct('.') && this.isPunct('*', 1)) {
        this.position += 2;
        node = { kind: 'splat', object: node, text: this.textFrom(start) };
      } else if (this.isPunct('.')) {
        this.next();
        const token = this.next();
        if (token.type !== 'name' && token.type !== 'number') {
          throw new HclSyntaxError('expected an attribute name');
        }
        node =
          token.type === 'number'
            ? {
                kind: 'index',
                object: node,
                key: {
                  kind: 'literal',
                  value: Number(token.value),
                  text: token.value,
                },
                text: this.textFrom(start),
              }
            : {
                kind: 'attribute',
                object: node,
                name: token.value,
                text: this.textFrom(start),
              };
      } else if (this.isPunct('[') && this.isPunct('*', 1)) {
        this.position += 2;
        this.expect(']');
        node = { kind: 'splat', object: node, text: this.textFrom(start) };
      } else if (this.isPunct('[')) {
        this.next();
        const key = this.expression();
        this.expect(']');
        node = { kind: 'index', object: node, key, text: this.textFrom(start) };
      } else {
        return node;
      }
    }
  }

  private primary(): HclNode {
    const token = this.next();
    const start = token.start;
    switch (token.type) {
      case 'number':
        return {
          kind: 'literal',
          value: Number(token.value),
          text: token.value,
        };
      case 'string':
        return parseTemplate(token.value, true);
      case 'name': {
        if (token.value === 'true' || token.value === 'false') {
          return {
            kind: 'literal',
            value: token.value === 'true',
            text: token.value,
          };
        }
        if (token.value === 'null') {
          return { kind: 'literal', value: null, text: token.value };
        }
        if (this.isPunct('(')) return this.call(token.value, start);
        return { kind: 'name', name: token.value, text: token.value };
      }
      case 'punct':
        if (token.value === '(') {
          const inner = this.expression();
          this.expect(')');
          return inner;
        }
        if (token.value === '[') return this.tuple(start);
        if (token.value === '{') return this.object(start);
        break;
      default:
        break;
    }
    throw new HclSyntaxError(`unexpected ${token.value || 'end'}`);
  }

  private call(name: string, start: number): HclNode {
    this.expect('(');
    const args: HclNode[] = [];
    while (!this.isPunct(')')) {
      args.push(this.expression());
      if (this.isPunct('...')) {
        // An expanded final argument: the call's arguments are not known.
        this.next();
        args.push({ kind: 'opaque', text: '...' });
      }
      if (!this.isPunct(')')) this.expect(',');
    }
    this.expect(')');
    return { kind: 'call', name, args, text: this.textFrom(start) };
  }

  private isFor() {
    const token = this.peek();
    return token.type === 'name' && token.value === 'for';
  }

  private tuple(start: number): HclNode {
    if (this.isFor()) return this.forExpression(start, ']');
    const items: HclNode[] = [];
    while (!this.isPunct(']')) {
      items.push(this.expression());
      if (!this.isPunct(']')) this.expect(',');
    }
    this.expect(']');
    return { kind: 'tuple', items, text: this.textFrom(start) };
  }

  private object(start: number): HclNode {
    if (this.isFor()) return this.forExpression(start, '}');
    const entries: Array<{ key: HclNode; value: HclNode }> = [];
    while (!this.isPunct('}')) {
      const token = this.peek();
      const key: HclNode =
        token.type === 'name' && (this.isPunct('=', 1) || this.isPunct(':', 1))
          ? { kind: 'literal', value: this.next().value, text: token.value }
          : this.expression();
      if (!this.isPunct('=')) this.expect(':');
      else this.next();
      entries.push({ key, value: this.expression() });
      if (this.isPunct(',')) this.next();
    }
    this.expect('}');
    return { kind: 'object', entries, text: this.textFrom(start) };
  }

  private forExpression(start: number, close: ']' | '}'): HclNode {
    this.next();
    const first = this.next();
    let keyName: string | undefined;
    let valueName = first.value;
    if (this.isPunct(',')) {
      this.next();
      keyName = first.value;
      valueName = this.next().value;
    }
    const inToken = this.next();
    if (inToken.value !== 'in') throw new HclSyntaxError('expected in');
    const collection = this.expression();
    this.expect(':');
    let key: HclNode | undefined;
    let value = this.expression();
    if (close === '}') {
      this.expect('=>');
      key = value;
      value = this.expression();
      if (this.isPunct('...')) throw new HclSyntaxError('grouping');
    }
    let condition: HclNode | undefined;
    if (this.peek().type === 'name' && this.peek().value === 'if') {
      this.next();
      condition = this.expression();
    }
    this.expect(close);
    return {
      kind: 'for',
      keyName,
      valueName,
      collection,
      key,
      value,
      condition,
      text: this.textFrom(start),
    };
  }
}

/** Reads the text of one expression; an opaque node for what it cannot read. */
export function parseExpression(text: string): HclNode {
  try {
    return new Parser(text).parseAll();
  } catch (error) {
    if (error instanceof HclSyntaxError) return { kind: 'opaque', text };
    throw error;
  }
}

/** Calls `visit` with each child node of a node. */
export function forEachChild(node: HclNode, visit: (child: HclNode) => void) {
  switch (node.kind) {
    case 'template':
      node.parts.forEach(part => typeof part !== 'string' && visit(part));
      break;
    case 'attribute':
    case 'splat':
      visit(node.object);
      break;
    case 'index':
      visit(node.object);
      visit(node.key);
      break;
    case 'call':
      node.args.forEach(visit);
      break;
    case 'unary':
      visit(node.operand);
      break;
    case 'binary':
      visit(node.left);
      visit(node.right);
      break;
    case 'conditional':
      [node.test, node.then, node.otherwise].forEach(visit);
      break;
    case 'tuple':
      node.items.forEach(visit);
      break;
    case 'object':
      node.entries.forEach(entry => {
        visit(entry.key);
        visit(entry.value);
      });
      break;
    case 'for':
      [node.collection, node.key, node.value, node.condition].forEach(
        child => child && visit(child),
      );
      break;
    default:
      break;
  }
}
