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
      // Very short fragments would mask ordinary words and numbers.
      if (part.trim().length >= 3) fragments.add(part.trim());
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
