import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';

/** The sha256 of a file, hex encoded. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(await fs.readFile(file));
  return hash.digest('hex');
}
