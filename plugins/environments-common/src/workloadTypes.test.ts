import { secretsManagerSecretArn } from './workloadTypes';

describe('secretsManagerSecretArn', () => {
  const arn =
    'arn:aws:secretsmanager:eu-west-1:222222222222:secret:kler/production/stripe-Q1w2E3';

  it.each([
    [arn, arn],
    [`${arn}:api_key::`, arn],
    [`${arn}:api_key:AWSPREVIOUS:`, arn],
    [`${arn}::AWSCURRENT:`, arn],
    [`${arn}:::3f5a7c9e-1b2d-4e6f-8a0c-2d4e6f8a0c1e`, arn],
    [
      'arn:aws-cn:secretsmanager:cn-north-1:222222222222:secret:db-AbCdEf',
      'arn:aws-cn:secretsmanager:cn-north-1:222222222222:secret:db-AbCdEf',
    ],
  ])('%s is the secret %s', (valueFrom, expected) => {
    expect(secretsManagerSecretArn(valueFrom)).toBe(expected);
  });

  it.each([
    '/kler/production/shop-api/db-password',
    'arn:aws:ssm:eu-west-1:222222222222:parameter/kler/production/db',
    'arn:aws:secretsmanager:eu-west-1:222222222222:secret:',
    'arn:aws:secretsmanager:eu-west-1:2222:secret:db-AbCdEf',
    'kler/production/stripe',
  ])('%s names no Secrets Manager secret', valueFrom => {
    expect(secretsManagerSecretArn(valueFrom)).toBeUndefined();
  });
});
