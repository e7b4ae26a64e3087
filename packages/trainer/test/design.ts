import type { Design } from '../src/preprocessing.ts';

/** A design matrix from rows of numbers. */
export function designOf(rows: readonly (readonly number[])[]): Design {
  const width = rows[0]!.length;
  return {
    rows: rows.length,
    columns: Array.from({ length: width }, (_, j) => Float64Array.from(rows, (row) => row[j]!)),
  };
}
