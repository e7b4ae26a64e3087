import type { PredictionRecord } from './types.ts';

/**
 * Recorded requests waiting to be written, oldest first, counted in rows. Pushing keeps a reference to the
 * caller's array (no copy, no per-row work on the request path); taking walks rows across requests and hands
 * each over with its position in its request, which is its row index.
 */
export class RecordQueue {
  #requests: (readonly PredictionRecord[] | undefined)[] = [];
  #head = 0;
  #headOffset = 0;
  #rows = 0;

  get rows(): number {
    return this.#rows;
  }

  push(records: readonly PredictionRecord[]): void {
    this.#requests.push(records);
    this.#rows += records.length;
  }

  /** Removes up to `max` rows; returns how many it took. */
  take(max: number, visit: (record: PredictionRecord, rowIndex: number) => void): number {
    let taken = 0;
    while (taken < max && this.#head < this.#requests.length) {
      const request = this.#requests[this.#head]!;
      const end = Math.min(request.length, this.#headOffset + max - taken);
      for (let index = this.#headOffset; index < end; index++) visit(request[index]!, index);
      taken += end - this.#headOffset;
      if (end === request.length) {
        this.#requests[this.#head++] = undefined;
        this.#headOffset = 0;
      } else {
        this.#headOffset = end;
      }
    }
    this.#rows -= taken;
    this.#compact();
    return taken;
  }

  #compact(): void {
    if (this.#head === this.#requests.length) {
      this.#requests = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#requests.length) {
      this.#requests = this.#requests.slice(this.#head);
      this.#head = 0;
    }
  }
}
