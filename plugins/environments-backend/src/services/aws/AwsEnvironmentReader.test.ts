import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import {
  createReader,
  ecs,
  env,
  mockServices,
  useAwsMocks,
} from '../../__testUtils__/awsMocks';

useAwsMocks();

describe('AwsEnvironmentReader: bounded concurrency', () => {
  it('never has more calls in flight than the configured limit', async () => {
    mockServices(Array.from({ length: 95 }, (_, i) => `service-${i}`));
    let inFlight = 0;
    let maxInFlight = 0;
    ecs.on(DescribeServicesCommand).callsFake(async input => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise(resolve => setTimeout(resolve, 5));
      inFlight -= 1;
      return {
        services: (input.services as string[]).map(arn => ({
          serviceArn: arn,
          serviceName: arn.split('/').pop(),
        })),
      };
    });

    const snapshot = await createReader({ concurrency: 3 }).read(env);

    expect(ecs).toHaveReceivedCommandTimes(DescribeServicesCommand, 10);
    expect(maxInFlight).toBe(3);
    expect(snapshot.services).toHaveLength(95);
  });
});
