export { AwsCallMetrics } from './awsCallMetrics';
export { EnvironmentsMetrics } from './EnvironmentsMetrics';
export type { AwsCallOutcome, RefreshOutcome } from './EnvironmentsMetrics';
export { instrumentReader } from './instrumentReader';
export { createRequestMetricsMiddleware } from './requestMetrics';
