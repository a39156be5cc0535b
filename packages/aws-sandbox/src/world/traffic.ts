import type { EnvironmentSpec, ServiceSpec } from '../scenario/schema';
import { unit } from './random';
import { BUCKET, DAY, HOUR } from './time';

// module-level: global Math lookups are slow inside Jest's sandbox
const { abs, ceil, exp, max, min } = Math;

/** Hour of day (UTC) when traffic peaks: the evening shopping hour. */
const PEAK_HOUR = 19.5;
const PEAK_WIDTH_HOURS = 2.5;

/**
 * Demand of one environment as a share of its peak, per 5-minute bucket:
 * a daily curve with an evening peak plus a little seeded noise.
 */
export class TrafficModel {
  private readonly loads = new Map<number, number>();

  constructor(
    private readonly seed: string,
    private readonly env: EnvironmentSpec,
  ) {}

  load(bucket: number): number {
    const cached = this.loads.get(bucket);
    if (cached !== undefined) return cached;
    const hour = ((bucket * BUCKET) % DAY) / HOUR;
    const distance = min(abs(hour - PEAK_HOUR), 24 - abs(hour - PEAK_HOUR));
    const curve =
      0.15 + 0.85 * exp(-(distance * distance) / (2 * PEAK_WIDTH_HOURS ** 2));
    const noise = (unit(this.seed, this.env.name, 'load', bucket) - 0.5) * 0.08;
    const load = max(0, min(1, curve + noise));
    if (this.loads.size > 50000) this.loads.clear();
    this.loads.set(bucket, load);
    return load;
  }

  /** Demand in tasks' worth of work at the target utilisation. */
  demand(service: ServiceSpec, bucket: number): number {
    return service.max * service.traffic * this.load(bucket);
  }

  desired(service: ServiceSpec, bucket: number): number {
    if (service.min === service.max) return service.max;
    return max(
      service.min,
      min(service.max, ceil(this.demand(service, bucket))),
    );
  }

  /** Average CPU utilisation (%) of the service's tasks. */
  cpuUtilization(service: ServiceSpec, bucket: number): number {
    const desired = this.desired(service, bucket);
    if (desired === 0) return 0;
    const noise = unit(this.seed, this.env.name, service.name, 'cpu', bucket);
    return min(
      100,
      (60 * this.demand(service, bucket)) / desired + (noise - 0.5) * 6,
    );
  }

  memoryUtilization(service: ServiceSpec, bucket: number): number {
    const noise = unit(this.seed, this.env.name, service.name, 'mem', bucket);
    const base = service.crash ? 78 : 38;
    return min(100, base + 20 * this.load(bucket) + (noise - 0.5) * 4);
  }
}
