/**
 * The reference distribution as a CDF, known through its percentiles q0 … q100: linear between them, 0 below
 * q0 and 1 from q100 on. Repeated percentiles (a common value in discrete data) make it jump there.
 * `before` gives the limit from the left, F(x−).
 */
export function quantileCdf(quantiles: readonly number[], x: number, before = false): number {
  const last = quantiles.length - 1;
  const below = (q: number) => (before ? q < x : q <= x);
  if (!below(quantiles[0]!)) return 0;
  if (below(quantiles[last]!)) return 1;
  // The largest k with q_k below x (binary search); then x lies in [q_k, q_k+1].
  let low = 0;
  let high = last;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (below(quantiles[middle]!)) low = middle;
    else high = middle - 1;
  }
  const from = quantiles[low]!;
  const to = quantiles[low + 1]!;
  const within = to > from ? (x - from) / (to - from) : 0;
  return (low + within) / last;
}

/**
 * The Kolmogorov–Smirnov statistic sup |F_live(x) − F_ref(x)| between the empirical CDF of `sorted`
 * (ascending) and the reference CDF given by its percentiles. Both are monotone and, between the sample's
 * values and the percentiles, one is constant and the other linear: the supremum is found at those points,
 * from the left or at the point itself.
 */
export function ksStatistic(sorted: readonly number[], quantiles: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return 0;
  let d = 0;
  let i = 0;
  const points = [...new Set([...sorted, ...quantiles])].sort((a, b) => a - b);
  for (const x of points) {
    const below = i;
    while (i < n && sorted[i]! <= x) i++;
    d = Math.max(
      d,
      Math.abs(below / n - quantileCdf(quantiles, x, true)),
      Math.abs(i / n - quantileCdf(quantiles, x)),
    );
  }
  return d;
}

/**
 * The asymptotic two-sample p-value of a KS statistic `d` between samples of `n` and `m` values
 * (Kolmogorov's distribution with Stephens' small-sample correction): the chance of a gap this large if both
 * samples came from one distribution.
 */
export function ksPValue(d: number, n: number, m: number): number {
  if (n === 0 || m === 0) return 1;
  const effective = Math.sqrt((n * m) / (n + m));
  const lambda = (effective + 0.12 + 0.11 / effective) * d;
  if (lambda < 0.2) return 1;
  let sum = 0;
  for (let j = 1; j <= 100; j++) {
    const term = Math.exp(-2 * j * j * lambda * lambda);
    sum += j % 2 === 1 ? term : -term;
    if (term < 1e-12) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}
