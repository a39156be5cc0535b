import {
  AwsEnvironment,
  EnvironmentReadOptions,
  EnvironmentReader,
} from '../services/aws/types';
import { EnvironmentsMetrics } from './EnvironmentsMetrics';

/**
 * The reader, with each read of an environment measured: its duration and
 * outcome (a read aborted by its signal, as the snapshot store does past a
 * refresh's timeout, is a timeout), and the areas a successful read could
 * not read whole.
 */
export function instrumentReader(
  reader: EnvironmentReader,
  metrics: EnvironmentsMetrics,
): EnvironmentReader {
  return {
    async read(env: AwsEnvironment, options?: EnvironmentReadOptions) {
      const startedAt = performance.now();
      const seconds = () => (performance.now() - startedAt) / 1000;
      try {
        const snapshot = await reader.read(env, options);
        metrics.recordRefresh(env.name, 'success', seconds());
        metrics.recordReadErrors(env.name, snapshot.readErrors);
        return snapshot;
      } catch (error) {
        metrics.recordRefresh(
          env.name,
          options?.signal?.aborted ? 'timeout' : 'failure',
          seconds(),
        );
        throw error;
      }
    },
  };
}
