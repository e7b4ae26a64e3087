/** A rate and how much of it may be spent at once. */
export interface Rate {
  perSecond: number;
  /** The bucket's size: what an idle client may spend at once. */
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * One token bucket per client, in this process's memory (so a limit holds per instance: N instances let a
 * client through N times as fast). At most `maxClients` buckets are kept; the least recently seen goes first,
 * and a client whose bucket went comes back with a full one.
 */
export class TokenBuckets {
  readonly #buckets = new Map<string, Bucket>();
  readonly #rate: Rate;
  readonly #maxClients: number;
  readonly #now: () => number;

  constructor(rate: Rate, options: { maxClients?: number; now?: () => number } = {}) {
    this.#rate = rate;
    this.#maxClients = options.maxClients ?? 10_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * Spends `cost` tokens of `client`'s bucket and returns 0, or returns the seconds to wait before it may. A cost
   * above the burst passes when the bucket is full and leaves it in debt, so that one large request is possible
   * and the rate still holds over time.
   */
  take(client: string, cost = 1): number {
    const now = this.#now();
    const { perSecond, burst } = this.#rate;
    const bucket = this.#buckets.get(client) ?? { tokens: burst, at: now };
    this.#buckets.delete(client);
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.#buckets.set(client, bucket);
    if (this.#buckets.size > this.#maxClients) this.#buckets.delete(this.#buckets.keys().next().value!);
    const needed = Math.min(cost, burst);
    if (bucket.tokens >= needed) {
      bucket.tokens -= cost;
      return 0;
    }
    return (needed - bucket.tokens) / perSecond;
  }

  get size(): number {
    return this.#buckets.size;
  }
}
