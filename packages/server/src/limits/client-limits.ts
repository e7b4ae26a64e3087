import type { Context } from 'hono';
import type { AppEnv } from '../http/context.ts';
import { Problem } from '../http/problem.ts';
import { type Rate, TokenBuckets } from './token-buckets.ts';

/** Requests and rows per second per client; either may be off. */
export interface ClientLimitSettings {
  requests: Rate | undefined;
  rows: Rate | undefined;
}

/** Without authentication every request is the one anonymous client's. */
const ANONYMOUS = 'anonymous';

/** The per-client limits of one instance: a 429 with `Retry-After` once a client spends more than its rate. */
export class ClientLimits {
  readonly #requests: TokenBuckets | undefined;
  readonly #rows: TokenBuckets | undefined;

  constructor(settings: ClientLimitSettings, now?: () => number) {
    this.#requests = settings.requests && new TokenBuckets(settings.requests, { now });
    this.#rows = settings.rows && new TokenBuckets(settings.rows, { now });
  }

  /** Counts one request of the context's client; throws the 429 when it is over its rate. */
  request(c: Context<AppEnv>): void {
    if (this.#requests) check(this.#requests, c, 1, 'requests');
  }

  /** Counts the rows a request asks predictions for; throws the 429 when the client is over its rate. */
  rows(c: Context<AppEnv>, count: number): void {
    if (this.#rows) check(this.#rows, c, count, 'rows');
  }
}

function check(buckets: TokenBuckets, c: Context<AppEnv>, cost: number, what: string): void {
  const client = c.get('client') ?? ANONYMOUS;
  const wait = buckets.take(client, cost);
  if (wait === 0) return;
  const seconds = Math.max(1, Math.ceil(wait));
  throw new Problem(
    'too-many-requests',
    `${client} is over its limit of ${what} per second on this instance; retry after ${seconds} s`,
    undefined,
    { 'retry-after': String(seconds) },
  );
}
