import { type ApiKeyEntry, apiKeyLookup } from '@glyco/contract';
import type { Logger } from '@glyco/logger';
import type { SecretReader } from '@glyco/prediction-log';
import { type KeySource, loadApiKeys } from './key-source.ts';

/** How a reload ended: a different set in force, the same set read again, or the last good set kept. */
export type KeyReloadOutcome = 'applied' | 'unchanged' | 'failed';

export interface KeyReloadOptions {
  /** Read the file or the secret again once the set is this old (API_KEYS_RELOAD_SECONDS); 0: never. */
  reloadMs: number;
  readSecret?: SecretReader | undefined;
  logger?: Logger | undefined;
  /** Counts each reload's outcome (the `glyco_api_keys_reloads_total` metric). */
  onReload?: ((outcome: KeyReloadOutcome) => void) | undefined;
}

/**
 * A read of the file or secret that has not answered by then counts as failed, so that a Secrets Manager that
 * hangs holds the requests waiting on a reload this long at most, and no longer than that once per interval.
 */
const RELOAD_TIMEOUT_MS = 5_000;

const sameSet = (a: readonly ApiKeyEntry[], b: readonly ApiKeyEntry[]) =>
  JSON.stringify(a) === JSON.stringify(b);

/**
 * The API keys in force. Read at startup (a missing or bad document stops the start), then read again from the
 * file or the secret once the set is older than the reload interval, as a request arrives and before it is
 * authenticated: a key added or revoked is accepted or refused within one interval, on the node server and in a
 * warm Lambda execution environment alike (a frozen one runs no timer, so nothing waits for one). While one reload
 * runs, the requests that arrive wait for it rather than start another. A reload that fails keeps the last good
 * set, logs one warning per run of failures and tries again an interval later.
 */
export class ApiKeySet {
  readonly #source: KeySource;
  readonly #options: KeyReloadOptions;
  #entries: readonly ApiKeyEntry[];
  #lookup: (key: string) => ApiKeyEntry | undefined;
  #readAt = Date.now();
  #reloading: Promise<void> | undefined;
  #failing = false;

  private constructor(source: KeySource, entries: readonly ApiKeyEntry[], options: KeyReloadOptions) {
    this.#source = source;
    this.#options = options;
    this.#entries = entries;
    this.#lookup = apiKeyLookup(entries);
  }

  static async load(source: KeySource, options: KeyReloadOptions): Promise<ApiKeySet> {
    return new ApiKeySet(source, await loadApiKeys(source, options.readSecret), options);
  }

  get size(): number {
    return this.#entries.length;
  }

  /** The entry a presented key names in the newest set, read again first when the set is due for it. */
  async find(key: string): Promise<ApiKeyEntry | undefined> {
    const due = this.#due();
    if (due) await due;
    return this.#lookup(key);
  }

  /** The reload to wait for, if the set is due for one (or one runs); undefined, without awaiting, when not. */
  #due(): Promise<void> | undefined {
    if (this.#reloading) return this.#reloading;
    const { reloadMs } = this.#options;
    if (this.#source.from === 'env' || reloadMs === 0 || Date.now() - this.#readAt < reloadMs)
      return undefined;
    this.#reloading = this.#reload().finally(() => {
      this.#readAt = Date.now();
      this.#reloading = undefined;
    });
    return this.#reloading;
  }

  async #reload(): Promise<void> {
    const { logger, onReload } = this.#options;
    let entries: ApiKeyEntry[];
    try {
      entries = await withTimeout(loadApiKeys(this.#source, this.#options.readSecret), RELOAD_TIMEOUT_MS);
    } catch (error) {
      onReload?.('failed');
      if (!this.#failing) {
        logger?.warn('API keys not reloaded: the keys read before stay in force', {
          error: (error as Error).message,
          keys: this.#entries.length,
        });
      }
      this.#failing = true;
      return;
    }
    if (this.#failing) logger?.info('API keys read again after failures', { keys: entries.length });
    this.#failing = false;
    if (sameSet(entries, this.#entries)) {
      onReload?.('unchanged');
      return;
    }
    const names = (set: readonly ApiKeyEntry[]) => new Set(set.map((entry) => entry.name));
    const [before, after] = [names(this.#entries), names(entries)];
    logger?.info('API keys reloaded', {
      keys: entries.length,
      added: [...after].filter((name) => !before.has(name)),
      removed: [...before].filter((name) => !after.has(name)),
    });
    this.#entries = entries;
    this.#lookup = apiKeyLookup(entries);
    onReload?.('applied');
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
