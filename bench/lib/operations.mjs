// Names the AWS operation of a request, whatever the SDK's wire protocol:
// JSON (X-Amz-Target), query (Action=), Smithy RPC v2 CBOR (/service/S/operation/Op)
// and REST (method + path, for AWS Backup, Well-Architected and EFS).

/**
 * The operation of a cold read's longest chain of dependent calls (see
 * chain-bound.mjs), whose calls the counting proxy also times one by one.
 */
export const CHAIN_OPERATION = 'DescribeScalingPolicies';

const REST_ROUTES = [
  ['GET', /^\/backup\/plans\/?$/, 'ListBackupPlans'],
  ['GET', /^\/backup\/plans\/[^/]+\/selections\/?$/, 'ListBackupSelections'],
  [
    'GET',
    /^\/backup\/plans\/[^/]+\/selections\/[^/]+\/?$/,
    'GetBackupSelection',
  ],
  ['GET', /^\/backup\/plans\/[^/]+\/?$/, 'GetBackupPlan'],
  [
    'GET',
    /^\/backup-vaults\/[^/]+\/resources\/?$/,
    'ListProtectedResourcesByBackupVault',
  ],
  [
    'GET',
    /^\/backup-vaults\/[^/]+\/recovery-points\/?$/,
    'ListRecoveryPointsByBackupVault',
  ],
  ['GET', /^\/backup-jobs\/?$/, 'ListBackupJobs'],
  [
    'GET',
    /^\/workloads\/[^/]+\/lensReviews\/[^/]+\/improvements\/?$/,
    'ListLensReviewImprovements',
  ],
  ['GET', /^\/workloads\/[^/]+\/lensReviews\/[^/]+\/?$/, 'GetLensReview'],
  ['GET', /^\/workloads\/[^/]+\/?$/, 'GetWorkload'],
  ['GET', /^\/2015-02-01\/file-systems\/?(\?|$)/, 'DescribeFileSystems'],
  ['GET', /^\/2015-02-01\/mount-targets\/?(\?|$)/, 'DescribeMountTargets'],
];

/**
 * @param {{ method: string, path: string, headers: Record<string, string | string[] | undefined>, body: string }} request
 * @returns {string}
 */
export function operationOf({ method, path, headers, body }) {
  const target = headers['x-amz-target'];
  if (typeof target === 'string' && target.includes('.')) {
    return target.slice(target.lastIndexOf('.') + 1);
  }
  const cbor = /^\/service\/[^/]+\/operation\/([^/?]+)/.exec(path);
  if (cbor) return cbor[1];
  const contentType = String(headers['content-type'] ?? '');
  if (contentType.includes('x-www-form-urlencoded')) {
    const action = new URLSearchParams(body).get('Action');
    if (action) return action;
  }
  for (const [routeMethod, pattern, name] of REST_ROUTES) {
    if (routeMethod === method && pattern.test(path)) return name;
  }
  return `${method} ${path.replace(/\/[^/]*\d[^/]*/g, '/{id}')}`;
}

const THROTTLING =
  /Throttl|Rate exceeded|TooManyRequests|RequestLimitExceeded|SlowDown/i;

/** Whether an AWS error response says the caller was throttled. */
export function isThrottlingResponse(status, headers, body) {
  if (status < 400) return false;
  const errorType = String(headers['x-amzn-errortype'] ?? '');
  return status === 429 || THROTTLING.test(errorType) || THROTTLING.test(body);
}

/** Whether a message or error name a user sees comes from AWS throttling. */
export function mentionsThrottling(text) {
  return THROTTLING.test(String(text ?? ''));
}
