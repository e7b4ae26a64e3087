import type { MetricDirection } from '@glyco/contract';
import { seededRandom } from '@glyco/trainer/random';

/** A statistic and its bootstrap percentile interval. */
export interface Interval {
  value: number;
  low: number;
  high: number;
}

export interface Comparison {
  champion: Interval;
  challenger: Interval;
  /** The challenger's score minus the champion's, signed so that positive is better; its paired interval. */
  improvement: Interval;
}

/** A metric of one model's answers on a subset of the evaluation rows (their indices, repeats allowed). */
export type RowsScore = (answers: ArrayLike<number>, rows: Int32Array) => number;

export interface ComparisonInput {
  /** How many evaluation rows there are. */
  rows: number;
  /** Each model's answers on the evaluation rows, in the shape `score` reads. */
  champion: ArrayLike<number>;
  challenger: ArrayLike<number>;
  /** The primary metric of the task (NaN where a resample cannot be scored), and which way is better. */
  score: RowsScore;
  direction: MetricDirection;
  resamples: number;
  confidence: number;
  seed: number;
}

/**
 * Scores both models on the same rows, then resamples the rows with replacement `resamples` times (seeded) and
 * scores both on each resample: the percentiles give each score's interval, and the differences on the same
 * resamples give the interval of the improvement (a paired bootstrap, which is much tighter than comparing the
 * two intervals, because both models meet the same hard and easy rows). A resample the metric cannot score (a
 * class missing) is drawn again.
 */
export function compareModels(input: ComparisonInput): Comparison {
  const { rows: n, score } = input;
  const sign = input.direction === 'higher' ? 1 : -1;
  const random = seededRandom(input.seed);
  const champions: number[] = [];
  const challengers: number[] = [];
  const improvements: number[] = [];
  const sample = new Int32Array(n);
  for (let attempts = 0; champions.length < input.resamples; attempts++) {
    if (attempts > input.resamples * 10)
      throw new Error('too few rows of some class to resample the evaluation');
    for (let i = 0; i < n; i++) sample[i] = Math.floor(random() * n);
    const a = score(input.champion, sample);
    const b = score(input.challenger, sample);
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    champions.push(a);
    challengers.push(b);
    improvements.push(sign * (b - a));
  }
  const every = Int32Array.from({ length: n }, (_, i) => i);
  const a = score(input.champion, every);
  const b = score(input.challenger, every);
  const interval = (value: number, values: number[]) => percentileInterval(value, values, input.confidence);
  return {
    champion: interval(a, champions),
    challenger: interval(b, challengers),
    improvement: interval(sign * (b - a), improvements),
  };
}

function percentileInterval(value: number, values: number[], confidence: number): Interval {
  const sorted = Float64Array.from(values).sort();
  const tail = (1 - confidence) / 2;
  return { value, low: quantile(sorted, tail), high: quantile(sorted, 1 - tail) };
}

/** Linear interpolation between the closest ranks (the default of R and NumPy). */
function quantile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

/**
 * Whether the challenger wins: better by at least `minImprovement`, and better beyond doubt at the chosen
 * confidence (the improvement's interval lies above zero). With the reason, in words, either way.
 */
export function verdict(
  comparison: Comparison,
  minImprovement: number,
  metric: string,
  confidence: number,
): { wins: boolean; reason: string } {
  const { champion, challenger, improvement } = comparison;
  const f = (x: number) => x.toFixed(4);
  const range = (i: Interval) => `${f(i.value)} [${f(i.low)}, ${f(i.high)}]`;
  const scores = `${metric} on the evaluation rows: challenger ${range(challenger)}, champion ${range(champion)}, improvement ${range(improvement)} (${Math.round(confidence * 100)}% intervals)`;
  if (improvement.value < minImprovement) {
    return { wins: false, reason: `the challenger is not better by ${minImprovement}: ${scores}` };
  }
  if (improvement.low <= 0) {
    return { wins: false, reason: `the improvement could be noise (its interval reaches 0): ${scores}` };
  }
  return { wins: true, reason: `the challenger is better: ${scores}` };
}
