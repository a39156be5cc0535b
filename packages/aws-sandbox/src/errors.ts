/** An error the sandbox answers the way the AWS service would. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Query protocols: whether the caller (Sender) or AWS (Receiver) is at fault. */
    readonly fault: 'Sender' | 'Receiver' = status >= 500
      ? 'Receiver'
      : 'Sender',
  ) {
    super(message);
    this.name = code;
  }
}

/** AWS's answer when a required member is left out: `code` is the service's validation error. */
export function requireMember(
  value: unknown,
  name: string,
  code: string,
): asserts value {
  if (value === undefined || value === null || value === '') {
    throw new AwsError(
      code,
      `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
    );
  }
}
