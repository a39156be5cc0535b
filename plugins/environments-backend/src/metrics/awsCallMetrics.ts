import { MetricsService } from '@backstage/backend-plugin-api/alpha';
import { isThrottlingError } from '@smithy/core/retry';
import {
  DeserializeHandler,
  DeserializeHandlerArguments,
  HandlerExecutionContext,
  Pluggable,
} from '@aws-sdk/types';
import { AwsCallOutcome } from './EnvironmentsMetrics';

type SdkError = Parameters<typeof isThrottlingError>[0];

const MIDDLEWARE_NAME = 'environmentsAwsCallMetrics';

/**
 * Counts the AWS requests of the reader's SDK clients, by service and
 * operation (`ECS`, `DescribeServices`) and by how AWS answered. The
 * middleware sits in the deserialize step, inside the SDK's retries: each
 * attempt is counted, so a call throttled twice and then answered counts
 * two throttled answers and one success, as AWS saw them.
 */
export class AwsCallMetrics {
  private readonly calls;

  constructor(metrics: MetricsService) {
    this.calls = metrics.createCounter<{
      service: string;
      operation: string;
      outcome: AwsCallOutcome;
    }>('environments.aws.calls', {
      description:
        'Requests made to AWS (each attempt of a call), by service, operation and outcome (success, throttled, error)',
      unit: '{call}',
    });
  }

  /**
   * Counts attempts made outside the clients' middleware (the listing thread's,
   * see ListingThread), by outcome.
   */
  count(
    service: string,
    operation: string,
    attempts: Record<AwsCallOutcome, number>,
  ): void {
    for (const [outcome, n] of Object.entries(attempts)) {
      if (n > 0) {
        this.calls.add(n, {
          service,
          operation,
          outcome: outcome as AwsCallOutcome,
        });
      }
    }
  }

  /** The SDK plugin to `use` on each client's middleware stack. */
  plugin(): Pluggable<any, any> {
    return {
      applyToStack: stack => {
        stack.add(
          (
              next: DeserializeHandler<any, any>,
              context: HandlerExecutionContext,
            ) =>
            async (args: DeserializeHandlerArguments<any>) => {
              const attributes = {
                // The SDK's own class names: bounded by the calls the reader makes.
                service: (context.clientName ?? 'unknown').replace(
                  /Client$/,
                  '',
                ),
                operation: (context.commandName ?? 'unknown').replace(
                  /Command$/,
                  '',
                ),
              };
              try {
                const result = await next(args);
                this.calls.add(1, { ...attributes, outcome: 'success' });
                return result;
              } catch (error) {
                this.calls.add(1, {
                  ...attributes,
                  outcome: isThrottlingError(error as SdkError)
                    ? 'throttled'
                    : 'error',
                });
                throw error;
              }
            },
          { step: 'deserialize', priority: 'high', name: MIDDLEWARE_NAME },
        );
      },
    };
  }
}
