/**
 * Per-sensor token buckets, in memory on each ingest node: a sensor may send `batchesPerSecond`
 * batches on average and `burst` at once (a sensor catching up after an outage sends its spool in
 * bursts). Several nodes behind a load balancer each allow that much; the limit is against a
 * runaway sensor, not for billing, so per-node is enough.
 */
export interface RateLimit {
  batchesPerSecond: number;
  burst: number;
}

export const DEFAULT_INGEST_RATE: RateLimit = { batchesPerSecond: 20, burst: 40 };

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets idle this long are full again; dropping them frees memory without changing answers. */
const MAX_BUCKETS = 200_000;

export class SensorRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    /** Milliseconds, monotonic. Real time even in tests that stop the domain clock: this limits requests, not business dates. */
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** Takes one token; returns 0 when allowed, else the seconds to wait before the next try. */
  take(sensorId: string): number {
    const now = this.nowMs();
    const bucket = this.buckets.get(sensorId) ?? { tokens: this.limit.burst, at: now };
    const refilled = Math.min(this.limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.limit.batchesPerSecond);
    if (refilled >= 1) {
      this.buckets.set(sensorId, { tokens: refilled - 1, at: now });
      if (this.buckets.size > MAX_BUCKETS) this.forgetFullBuckets(now);
      return 0;
    }
    this.buckets.set(sensorId, { tokens: refilled, at: now });
    return Math.max(1, Math.ceil((1 - refilled) / this.limit.batchesPerSecond));
  }

  private forgetFullBuckets(now: number): void {
    const fullAfterMs = (this.limit.burst / this.limit.batchesPerSecond) * 1000;
    for (const [id, bucket] of this.buckets) if (now - bucket.at >= fullAfterMs) this.buckets.delete(id);
  }
}
