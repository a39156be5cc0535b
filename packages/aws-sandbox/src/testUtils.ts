import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { RunningSandbox, startSandbox } from './server';
import type { ScenarioInput } from './scenario/schema';

export const KLER_SCENARIO = resolvePackagePath(
  '@kler/aws-sandbox',
  'scenarios/kler.yaml',
);
export const PRODUCTION = '222222222222';
export const DEVELOPMENT = '111111111111';

/** 19:30 UTC: the evening traffic peak. */
export const PEAK = '2026-11-26T19:30:00Z';
/** 04:00 UTC: the quiet night. */
export const NIGHT = '2026-11-26T04:00:00Z';

/** A frozen KLER sandbox on a random port. */
export function startKlerSandbox(
  time: string = PEAK,
  scenario: string | ScenarioInput = KLER_SCENARIO,
): Promise<RunningSandbox> {
  return startSandbox({ port: 0, scenario, clock: { start: time, speed: 0 } });
}

export function clientConfig(
  url: string,
  account: string = PRODUCTION,
  extra: Record<string, unknown> = {},
) {
  return {
    endpoint: url,
    region: 'eu-west-1',
    credentials: {
      accessKeyId: `SANDBOX${account}`,
      secretAccessKey: 'sandbox',
    },
    maxAttempts: 1,
    ...extra,
  };
}
