import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { TargetHealth } from '@kler/plugin-environments-common';
import { ReadContext } from './types';

/** Reads the health of every target of the given target groups, keyed by target group ARN. */
export async function readTargetHealth(
  { clients, limit, sendOptions }: ReadContext,
  targetGroupArns: string[],
): Promise<Map<string, TargetHealth[]>> {
  const byTargetGroup = new Map<string, TargetHealth[]>();
  await Promise.all(
    [...new Set(targetGroupArns)].map(async targetGroupArn => {
      const output = await limit(() =>
        clients.elasticLoadBalancing.send(
          new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
          sendOptions,
        ),
      );
      byTargetGroup.set(
        targetGroupArn,
        (output.TargetHealthDescriptions ?? []).map(description => ({
          targetGroupArn,
          targetId: description.Target?.Id ?? '',
          port: description.Target?.Port,
          state: description.TargetHealth?.State ?? 'unavailable',
          reason: description.TargetHealth?.Reason,
          description: description.TargetHealth?.Description,
        })),
      );
    }),
  );
  return byTargetGroup;
}
