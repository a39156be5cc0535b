import {
  FaultSpec,
  faultSchema,
  ThrottlingSpec,
  throttlingSchema,
} from './scenario/schema';

export type ActiveFault = FaultSpec & { id: string };

export interface FaultRequest {
  account: string;
  region: string;
  service: string;
  operation: string;
  /** Names of the environments living in the request's account and region. */
  environments: string[];
}

export interface FaultDecision {
  latencyMs: number;
  /** Hold the connection, then drop it; null = hold until the sandbox closes. */
  timeoutMs?: number | null;
  error?: 'throttling' | 'accessDenied' | 500 | 503;
}

/** Other names a fault may use for a service. */
const SERVICE_ALIASES: Record<string, string> = {
  cloudwatch: 'monitoring',
  elbv2: 'elasticloadbalancing',
  'elastic-load-balancing-v2': 'elasticloadbalancing',
  applicationautoscaling: 'application-autoscaling',
  'application-auto-scaling': 'application-autoscaling',
  'auto-scaling': 'autoscaling',
  ec2autoscaling: 'autoscaling',
  'resource-groups-tagging-api': 'tagging',
  'secrets-manager': 'secretsmanager',
};

export function canonicalServiceName(name: string): string {
  const lower = name.toLowerCase();
  return SERVICE_ALIASES[lower] ?? lower;
}

class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  take(now: number): boolean {
    this.tokens = Math.min(
      this.burst,
      this.tokens + ((now - this.last) / 1000) * this.rate,
    );
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }
}

const READ_OPERATION = /^(Describe|List|Get)/;

/**
 * Faults injected on demand, plus the per-operation request limit that AWS
 * applies by default. Rates are measured in real time, not simulated time.
 */
export class FaultEngine {
  private faults: ActiveFault[] = [];
  private readonly buckets = new Map<string, TokenBucket>();
  private throttlingSpec: ThrottlingSpec;
  private nextId = 1;

  constructor(
    faults: FaultSpec[],
    throttling: ThrottlingSpec,
    private readonly realNow: () => number = () => performance.now(),
  ) {
    this.throttlingSpec = throttling;
    this.replace(faults);
  }

  list(): ActiveFault[] {
    return this.faults.map(f => ({ ...f }));
  }

  get throttling(): ThrottlingSpec {
    return { ...this.throttlingSpec };
  }

  setThrottling(input: unknown): ThrottlingSpec {
    this.throttlingSpec = throttlingSchema.parse({
      ...this.throttlingSpec,
      ...(input as object),
    });
    this.buckets.clear();
    return this.throttling;
  }

  replace(faults: unknown[]): ActiveFault[] {
    this.faults = [];
    this.buckets.clear();
    return faults.map(f => this.add(f));
  }

  add(input: unknown): ActiveFault {
    const fault = faultSchema.parse(input);
    const active: ActiveFault = {
      ...fault,
      service: fault.service ? canonicalServiceName(fault.service) : undefined,
      id: fault.id ?? `fault-${this.nextId++}`,
    };
    this.faults = this.faults.filter(f => f.id !== active.id).concat(active);
    return active;
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter(f => f.id !== id);
    return this.faults.length < before;
  }

  private matches(fault: ActiveFault, request: FaultRequest): boolean {
    return (
      (!fault.account || fault.account === request.account) &&
      (!fault.service || fault.service === request.service) &&
      (!fault.operation || fault.operation === request.operation) &&
      (!fault.environment || request.environments.includes(fault.environment))
    );
  }

  private bucket(key: string, rate: number, burst: number, now: number) {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(rate, burst, now);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  evaluate(request: FaultRequest): FaultDecision {
    const now = this.realNow();
    const decision: FaultDecision = { latencyMs: 0 };
    for (const fault of this.faults) {
      if (!this.matches(fault, request)) continue;
      if (fault.count !== undefined) {
        if (fault.count <= 0) continue;
        fault.count -= 1;
      }
      decision.latencyMs += fault.latencyMs ?? 0;
      if (fault.timeoutMs !== undefined && decision.timeoutMs === undefined) {
        decision.timeoutMs = fault.timeoutMs;
      }
      if (decision.error) continue;
      if (fault.throttle) {
        const key = `fault:${fault.id}:${request.account}:${request.service}:${request.operation}`;
        const burst =
          fault.throttle.burst ??
          Math.max(1, Math.ceil(fault.throttle.ratePerSecond));
        if (
          !this.bucket(key, fault.throttle.ratePerSecond, burst, now).take(now)
        ) {
          decision.error = 'throttling';
        }
      }
      if (!decision.error && fault.accessDenied)
        decision.error = 'accessDenied';
      if (!decision.error && fault.serverError)
        decision.error = fault.serverError;
    }
    if (
      !decision.error &&
      this.throttlingSpec.enabled &&
      READ_OPERATION.test(request.operation)
    ) {
      const key = `default:${request.account}:${request.region}:${request.service}:${request.operation}`;
      const { ratePerSecond, burst } = this.throttlingSpec;
      if (!this.bucket(key, ratePerSecond, burst, now).take(now)) {
        decision.error = 'throttling';
      }
    }
    return decision;
  }
}
