import {
  EnvironmentEvaluation,
  summarizeEvaluation,
} from '@kler/plugin-environments-common';

/** An evaluation, its summary, and the version that tells it from others. */
export interface Evaluated {
  evaluation: EnvironmentEvaluation;
  summary: ReturnType<typeof summarizeEvaluation>;
  /** What it was made of and when: equal versions are equal evaluations. */
  version: string;
}

export interface EvaluationCacheOptions {
  enabled: boolean;
  /** How long an evaluation of the same inputs is reused. */
  reuseMs: number;
  now?: () => number;
}

/**
 * The latest evaluation of each environment (switch: `evaluations`).
 *
 * Key: the environment's name, with what the evaluation was made of (the
 * stored state's version and the ids of the environment's latest runs).
 * Lifetime: while those inputs are the same, at most `reuseMs`: some rules
 * depend on the time (a recovery point getting older than the RPO), so an
 * evaluation is redone now and then even when nothing else changed.
 * Why it is correct: the rules are pure functions of the snapshot, the runs
 * and the time; a stored state never changes under its version, and a
 * recorded run never changes under its id.
 */
export class EvaluationCache {
  private readonly evaluations = new Map<
    string,
    Evaluated & { inputs: string; evaluatedAt: number }
  >();

  constructor(private readonly options: EvaluationCacheOptions) {}

  /** The evaluation of `name` from `inputs`, made with `evaluate` unless a recent one serves. */
  get(
    name: string,
    inputs: string,
    evaluate: (now: Date) => EnvironmentEvaluation,
  ): Evaluated {
    const now = this.now();
    const known = this.evaluations.get(name);
    if (
      this.options.enabled &&
      known &&
      known.inputs === inputs &&
      now - known.evaluatedAt < this.options.reuseMs
    ) {
      return known;
    }
    const evaluation = evaluate(new Date(now));
    const evaluated = {
      evaluation,
      summary: summarizeEvaluation(evaluation),
      version: `${inputs}@${now}`,
      inputs,
      evaluatedAt: now,
    };
    if (this.options.enabled) {
      this.evaluations.set(name, evaluated);
    }
    return evaluated;
  }

  /** Forgets every environment but those named. */
  retainOnly(names: ReadonlySet<string>): void {
    for (const name of this.evaluations.keys()) {
      if (!names.has(name)) {
        this.evaluations.delete(name);
      }
    }
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}
