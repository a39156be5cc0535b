import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';

/** `kler.terraform.drift`: how often the environments are checked for drift. */
export interface DriftConfig {
  frequency: HumanDuration;
  /** Bound of one check of every environment. Default: the frequency. */
  timeout: HumanDuration;
}

function readDuration(config: Config, key: string): HumanDuration {
  let duration: HumanDuration;
  try {
    duration = readDurationFromConfig(config, { key });
  } catch (error) {
    throw new Error(
      `Invalid config at kler.terraform.drift.${key}: ${
        (error as Error).message
      }; expected a duration such as { hours: 6 } or 'PT6H'`,
    );
  }
  if (!(durationToMilliseconds(duration) > 0)) {
    throw new Error(
      `Invalid config at kler.terraform.drift.${key}: must be longer than zero`,
    );
  }
  return duration;
}

/**
 * Reads `kler.terraform.drift`; undefined when no frequency is set, which
 * leaves drift checks off. Throws naming the key when a value is wrong.
 */
export function readDriftConfig(config: Config): DriftConfig | undefined {
  const drift = config.getOptionalConfig('kler.terraform.drift');
  if (!drift?.has('frequency')) {
    return undefined;
  }
  const frequency = readDuration(drift, 'frequency');
  return {
    frequency,
    timeout: drift.has('timeout') ? readDuration(drift, 'timeout') : frequency,
  };
}
