export type DistinctValues = { distinct: number[]; counts: number[] };

/**
 * The distinct values of a column, ascending, with how often each occurs: counted in a map while there are at
 * most `limit` of them (a survey's flags and scales: no sort of the whole column), sorted out of a copy otherwise.
 */
export function distinctValues(column: Float64Array, limit: number): DistinctValues {
  const tally = new Map<number, number>();
  for (const value of column) {
    tally.set(value, (tally.get(value) ?? 0) + 1);
    if (tally.size > limit) return sortedDistinct(column);
  }
  const distinct = [...tally.keys()].sort((a, b) => a - b);
  return { distinct, counts: distinct.map((value) => tally.get(value)!) };
}

function sortedDistinct(column: Float64Array): DistinctValues {
  const sorted = column.slice().sort();
  const distinct: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) counts[counts.length - 1]!++;
    else {
      distinct.push(sorted[i]!);
      counts.push(1);
    }
  }
  return { distinct, counts };
}

/** The median of the values a tally describes (the mean of the two middle ones for an even count). */
export function medianOf({ distinct, counts }: DistinctValues, total: number): number {
  const middle = total >> 1;
  const at = (position: number) => {
    let seen = 0;
    for (let i = 0; i < distinct.length; i++) {
      seen += counts[i]!;
      if (position < seen) return distinct[i]!;
    }
    return Number.NaN;
  };
  return total % 2 ? at(middle) : (at(middle - 1) + at(middle)) / 2;
}
