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
