/**
 * The sandbox's notion of now. Either real time, or a set instant that runs
 * at a chosen speed (0 = frozen), so tests get the same answers every run.
 */
export class SandboxClock {
  private baseSimulated: number;
  private baseReal: number;
  private currentSpeed: number;

  constructor(
    options: { start?: Date | number; speed?: number } = {},
    private readonly realNow: () => number = Date.now,
  ) {
    this.baseReal = this.realNow();
    this.baseSimulated =
      options.start === undefined
        ? this.baseReal
        : Number(new Date(options.start));
    this.currentSpeed = options.speed ?? 1;
  }

  now(): number {
    return (
      this.baseSimulated + (this.realNow() - this.baseReal) * this.currentSpeed
    );
  }

  get speed(): number {
    return this.currentSpeed;
  }

  set(options: { time?: Date | number | string; speed?: number }): void {
    const current = this.now();
    this.baseReal = this.realNow();
    this.baseSimulated =
      options.time === undefined ? current : Number(new Date(options.time));
    if (Number.isNaN(this.baseSimulated)) {
      this.baseSimulated = current;
      throw new Error(`Invalid clock time ${String(options.time)}`);
    }
    if (options.speed !== undefined) this.currentSpeed = options.speed;
  }
}
