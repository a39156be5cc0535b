import { LoggerService } from '@backstage/backend-plugin-api';
import { JsonObject, JsonValue } from '@backstage/types';

/** Very short fragments would mask ordinary words and numbers. */
const MIN_FRAGMENT_LENGTH = 3;

/**
 * Builds a function that replaces every secret value in a line of text with `***`.
 *
 * Multi-line secrets are masked line by line too, because Terraform's output is
 * streamed one line at a time.
 */
export function createSecretMasker(
  secretValues: Iterable<string>,
): (line: string) => string {
  const fragments = new Set<string>();
  for (const value of secretValues) {
    if (!value) continue;
    fragments.add(value);
    for (const part of value.split(/\r?\n/)) {
      if (part.trim().length >= MIN_FRAGMENT_LENGTH) fragments.add(part.trim());
    }
  }
  // Longest first, so a secret containing another secret is masked whole.
  const sorted = [...fragments].sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return line => line;
  return line => {
    let masked = line;
    for (const fragment of sorted) {
      masked = masked.split(fragment).join('***');
    }
    return masked;
  };
}

/**
 * The texts a secret value can appear as in Terraform's output: a string as
 * itself and quoted (Terraform prints `a"b\c` as `"a\"b\\c"`, as JSON
 * does); a number or bool as Terraform prints it; a list or map as JSON, and
 * each of its keys and scalar values on their own, because Terraform prints
 * collections one element per line (`+ "value",`, `key = 5432`).
 */
export function secretTextsOf(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') {
    const quoted = JSON.stringify(value).slice(1, -1);
    return quoted === value ? [value] : [value, quoted];
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    const text = String(value);
    return text.length >= MIN_FRAGMENT_LENGTH ? [text] : [];
  }
  const texts = [JSON.stringify(value)];
  if (Array.isArray(value)) {
    for (const item of value) texts.push(...secretTextsOf(item));
  } else if (typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.length >= MIN_FRAGMENT_LENGTH) texts.push(key);
      texts.push(...secretTextsOf(item));
    }
  }
  return texts;
}

/**
 * The secrets of one action run and everything that masks with them: log
 * lines, outputs and thrown errors. Values are added as they become known
 * (task secrets, sensitive variables, AWS credentials, sensitive values read
 * from a plan).
 */
export class ActionMasker {
  private readonly values = new Set<string>();
  private masker: (line: string) => string = line => line;

  constructor(values: Iterable<unknown> = []) {
    this.add(...values);
  }

  /** Masks these values too from now on; any JSON value, not only strings. */
  add(...values: unknown[]) {
    let changed = false;
    for (const value of values) {
      for (const text of secretTextsOf(value)) {
        if (text && !this.values.has(text)) {
          this.values.add(text);
          changed = true;
        }
      }
    }
    if (changed) this.masker = createSecretMasker(this.values);
  }

  /** Masks a line of text. */
  readonly mask = (line: string): string => this.masker(line);

  /** Masks every string in a JSON value, keys included. */
  maskValue<T extends JsonValue | undefined>(value: T): T {
    if (typeof value === 'string') return this.mask(value) as T;
    if (Array.isArray(value)) {
      return value.map(item => this.maskValue(item)) as T;
    }
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [
          this.mask(key),
          this.maskValue(item as JsonValue),
        ]),
      ) as T;
    }
    if (
      typeof value === 'number' &&
      this.mask(String(value)) !== String(value)
    ) {
      return '***' as T;
    }
    return value;
  }

  /** The same error with its message and stack masked. */
  maskError(error: unknown): unknown {
    if (!(error instanceof Error)) {
      return typeof error === 'string' ? this.mask(error) : error;
    }
    error.message = this.mask(error.message);
    if (error.stack) error.stack = this.mask(error.stack);
    const cause = (error as { cause?: unknown }).cause;
    if (cause !== undefined) {
      (error as { cause?: unknown }).cause = this.maskError(cause);
    }
    return error;
  }

  /** A logger that masks every message before it reaches `logger`. */
  wrapLogger(logger: LoggerService): LoggerService {
    const wrap =
      (method: 'info' | 'warn' | 'error' | 'debug') =>
      (message: string, meta?: Error | Record<string, unknown>) =>
        logger[method](
          this.mask(message),
          meta instanceof Error
            ? (this.maskError(meta) as Error)
            : meta && this.maskValue(meta as JsonObject),
        );
    return {
      info: wrap('info'),
      warn: wrap('warn'),
      error: wrap('error'),
      debug: wrap('debug'),
      child: meta => this.wrapLogger(logger.child(meta)),
    };
  }
}
