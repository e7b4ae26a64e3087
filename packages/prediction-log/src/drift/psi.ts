/**
 * The bin of `value` among ascending `edges`: bins are [e0,e1), [e1,e2), …, [e(n-1), en], and values beyond
 * either end fall into the outer bins (the contract's `ReferenceDistribution`).
 */
export function binIndex(edges: readonly number[], value: number): number {
  let low = 0;
  let high = edges.length - 1;
  // The largest i with edges[i] <= value, by binary search.
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (edges[middle]! <= value) low = middle;
    else high = middle - 1;
  }
  return Math.min(low, edges.length - 2);
}

/** The share of `values` in each bin of `edges`. */
export function binProportions(edges: readonly number[], values: readonly number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (const value of values) counts[binIndex(edges, value)]!++;
  return counts.map((count) => (values.length === 0 ? 0 : count / values.length));
}

/** An empty bin would make the logarithm infinite; it counts as this small a share instead. */
export const PSI_EMPTY_BIN = 1e-4;

/**
 * Population Stability Index: Σ (actual − expected) · ln(actual / expected) over the bins. 0 for identical
 * shares; by convention below 0.1 is stable, 0.1–0.2 a moderate shift, above 0.2 a significant one.
 */
export function populationStabilityIndex(expected: readonly number[], actual: readonly number[]): number {
  if (expected.length !== actual.length) {
    throw new RangeError(
      `PSI needs as many actual shares (${actual.length}) as expected (${expected.length})`,
    );
  }
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i]!, PSI_EMPTY_BIN);
    const a = Math.max(actual[i]!, PSI_EMPTY_BIN);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}
