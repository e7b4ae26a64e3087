/**
 * Pearson's chi-square goodness-of-fit test of a categorical feature's live counts against the training data's
 * category proportions: the categorical counterpart of the Kolmogorov–Smirnov test for numbers.
 */

/** An expected share of 0 would make the statistic infinite; it counts as this small a share instead (as in PSI). */
const EMPTY_SHARE = 1e-4;

/** Σ (observed − expected)² / expected over the categories, with K − 1 degrees of freedom. */
export function chiSquareStatistic(
  expectedShares: readonly number[],
  observedCounts: readonly number[],
): { statistic: number; degreesOfFreedom: number } {
  if (expectedShares.length !== observedCounts.length) {
    throw new RangeError(
      `chi-square needs as many observed counts (${observedCounts.length}) as expected shares (${expectedShares.length})`,
    );
  }
  const n = observedCounts.reduce((sum, count) => sum + count, 0);
  let statistic = 0;
  for (let k = 0; k < expectedShares.length; k++) {
    const expected = n * Math.max(expectedShares[k]!, EMPTY_SHARE);
    statistic += (observedCounts[k]! - expected) ** 2 / expected;
  }
  return { statistic, degreesOfFreedom: Math.max(1, expectedShares.length - 1) };
}

/** The chance of a statistic this large or larger if the live sample came from the expected proportions. */
export function chiSquarePValue(statistic: number, degreesOfFreedom: number): number {
  if (statistic <= 0) return 1;
  return upperRegularizedGamma(degreesOfFreedom / 2, statistic / 2);
}

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, nine coefficients: 15 significant digits). */
function logGamma(x: number): number {
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = coefficients[0]!;
  for (let i = 1; i < coefficients.length; i++) sum += coefficients[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const EPSILON = 1e-15;
const MAX_TERMS = 500;

/**
 * Q(a, x) = Γ(a, x) / Γ(a): by its power series for P = 1 − Q where x < a + 1, else by its continued fraction
 * (modified Lentz), each converging fast on its side.
 */
function upperRegularizedGamma(a: number, x: number): number {
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < MAX_TERMS && Math.abs(term) > Math.abs(sum) * EPSILON; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return Math.min(1, Math.max(0, 1 - sum * Math.exp(logPrefix)));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let fraction = d;
  for (let n = 1; n < MAX_TERMS; n++) {
    const an = -n * (n - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    fraction *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return Math.min(1, Math.max(0, Math.exp(logPrefix) * fraction));
}
