import type { ServingModel } from './serving-model.ts';

/** The registry alias the served model follows, as its follower last saw it. */
export interface AliasStatus {
  /** The alias, e.g. `production`. */
  name: string;
  /** The version the alias points to. */
  version: string;
  /** `serving` that version; `loading` it; `refused` it (the previous one serves); `retrying` a failed download. */
  state: 'serving' | 'loading' | 'refused' | 'retrying';
}

/**
 * The model being served, swappable at runtime: `swap` makes the new model current at once (the next request
 * uses it) while requests already running finish on the old one, which is then released.
 */
export class ModelHolder {
  #current: ServingModel;
  #alias: AliasStatus | undefined;

  constructor(initial: ServingModel) {
    this.#current = initial;
  }

  /** The model new requests use; for metadata reads. Inference holds it with `acquire`. */
  current(): ServingModel {
    return this.#current;
  }

  /** The alias the served model follows (for /ready); undefined when it follows none. */
  alias(): AliasStatus | undefined {
    return this.#alias;
  }

  reportAlias(status: AliasStatus): void {
    this.#alias = status;
  }

  /** The current model, held until `release()`: a swap waits for it. Release in a `finally`. */
  acquire(): ServingModel {
    return this.#current.acquire();
  }

  /** Serves `next` from now on; resolves when the previous model has finished its requests and been released. */
  async swap(next: ServingModel): Promise<void> {
    const previous = this.#current;
    this.#current = next;
    await previous.retire();
  }

  /** At shutdown, after the server has stopped accepting requests: finishes and releases the current model. */
  close(): Promise<void> {
    return this.#current.retire();
  }
}
