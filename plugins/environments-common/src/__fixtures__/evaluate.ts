import { evaluateEnvironment } from '../evaluateEnvironment';
import { EvaluationOptions } from '../rules/context';
import { EnvironmentSnapshot, Problem } from '../types';
import { NOW } from './snapshots';

/** The problems of a snapshot evaluated at NOW. */
export function problemsOf(
  snapshot: EnvironmentSnapshot,
  options: EvaluationOptions = {},
): Problem[] {
  return evaluateEnvironment(snapshot, { now: NOW, ...options }).problems;
}

/** The one problem whose id ends with `suffix`; fails when there is none or several. */
export function problemWithSuffix(
  problems: Problem[],
  suffix: string,
): Problem {
  const matching = problems.filter(p => p.id.endsWith(suffix));
  if (matching.length !== 1) {
    throw new Error(
      `Expected one problem ending with ${suffix}, got ${
        matching.length
      }: ${problems.map(p => p.id).join(', ')}`,
    );
  }
  return matching[0];
}
