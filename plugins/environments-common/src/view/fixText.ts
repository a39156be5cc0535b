/**
 * A part of a proposed fix: prose, or a command the reader can copy and run.
 *
 * @public
 */
export type FixTextPart =
  | { kind: 'text'; text: string }
  | { kind: 'command'; text: string };

/**
 * Splits a proposed fix into prose and commands. The rules write commands
 * between backticks (`aws ecs describe-services ...`); the UI shows those as
 * code with a copy button.
 *
 * @public
 */
export function splitFixText(fix: string): FixTextPart[] {
  const parts: FixTextPart[] = [];
  const pieces = fix.split('`');
  // An odd number of pieces means the backticks pair up; otherwise the text
  // is shown as written rather than guessing which backtick is unmatched.
  if (pieces.length % 2 === 0) {
    return [{ kind: 'text', text: fix }];
  }
  pieces.forEach((piece, index) => {
    if (piece === '') return;
    parts.push({ kind: index % 2 === 1 ? 'command' : 'text', text: piece });
  });
  return parts;
}
