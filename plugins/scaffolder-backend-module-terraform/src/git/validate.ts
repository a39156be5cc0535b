import { InputError } from '@backstage/errors';

const BRANCH = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;
const REPOSITORY_DIRECTORY =
  /^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/;

/** A branch name that cannot be read as a git option or leave refs/heads. */
export function validateBranch(branch: string | undefined): string {
  const checked = branch ?? 'main';
  if (!BRANCH.test(checked) || checked.includes('..')) {
    throw new InputError(`branch '${checked.slice(0, 80)}' is not allowed`);
  }
  return checked;
}

/** A relative directory inside the repository. */
export function validateRepositoryDirectory(value: unknown, field: string) {
  if (
    typeof value !== 'string' ||
    value.length > 200 ||
    !REPOSITORY_DIRECTORY.test(value) ||
    value.split('/').includes('..')
  ) {
    throw new InputError(
      `${field} must be a relative path inside the repository`,
    );
  }
  return value;
}
