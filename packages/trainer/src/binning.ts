import { distinctValues } from './distinct-values.ts';
import type { Design } from './preprocessing.ts';

/**
 * A design matrix binned once for histogram-based tree growth (as LightGBM and scikit-learn's
 * HistGradientBoosting do): each column's values map to at most `maxBins` ordered bins, and a split "bin ≤ b"
 * is the split "value ≤ thresholds[b]" on the real values, so a tree grown on bins runs on values unchanged.
 */
export type BinnedDesign = {
  rows: number;
  columns: number;
  /**
   * Row-major `[rows, columns]` positions in the histogram of all columns' bins (column offset plus bin): a
   * histogram reads a row's codes together, already offset.
   */
  histogramBins: Uint16Array | Uint32Array;
  /** Per column, each row's bin (splitting a node's rows reads one column). */
  columnCodes: Uint8Array[];
  /** Per column, ascending: the upper edge of every bin but the last (a midpoint between two data values). */
  thresholds: Float64Array[];
  /** Per column, the position of its first bin in a histogram of all columns' bins. */
  offsets: Int32Array;
  totalBins: number;
};

export const MAX_BINS = 255;
/** Fewest rows a bin may hold (LightGBM's min_data_in_bin, default 3): finer bins only fit noise, and cost time. */
export const MIN_ROWS_PER_BIN = 3;

export function binDesign(design: Design, maxBins = MAX_BINS): BinnedDesign {
  const { rows } = design;
  const columns = design.columns.length;
  const thresholds = design.columns.map((column) => binThresholds(column, maxBins));
  const offsets = new Int32Array(columns);
  let totalBins = 0;
  thresholds.forEach((edges, j) => {
    offsets[j] = totalBins;
    totalBins += edges.length + 1;
  });
  const histogramBins =
    totalBins <= 0xffff ? new Uint16Array(rows * columns) : new Uint32Array(rows * columns);
  const columnCodes = design.columns.map(() => new Uint8Array(rows));
  thresholds.forEach((edges, j) => {
    const column = design.columns[j]!;
    const own = columnCodes[j]!;
    for (let i = 0; i < rows; i++) {
      const code = binOf(edges, column[i]!);
      own[i] = code;
      histogramBins[i * columns + j] = offsets[j]! + code;
    }
  });
  return { rows, columns, histogramBins, columnCodes, thresholds, offsets, totalBins };
}

/** The bin of a value: the first whose upper edge is ≥ it, else the last. */
export function binOf(edges: Float64Array, value: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (value <= edges[middle]!) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * Bin edges of one column, always midway between two neighbouring distinct values: between every two of them
 * when there are at most `maxBins` (rarer ones than MIN_ROWS_PER_BIN joining the next), else about every
 * n / maxBins rows (equal-count quantiles).
 */
function binThresholds(column: Float64Array, maxBins: number): Float64Array {
  const { distinct, counts } = distinctValues(column, 4 * maxBins);
  const total = column.length;
  const edges: number[] = [];
  const perBin = Math.max(distinct.length <= maxBins ? 0 : total / maxBins, MIN_ROWS_PER_BIN);
  let seen = 0;
  let sinceEdge = 0;
  for (let i = 0; i + 1 < distinct.length && edges.length < maxBins - 1; i++) {
    seen += counts[i]!;
    sinceEdge += counts[i]!;
    if (sinceEdge >= MIN_ROWS_PER_BIN && seen >= perBin * (edges.length + 1)) {
      edges.push(midpoint(distinct[i]!, distinct[i + 1]!));
      sinceEdge = 0;
    }
  }
  return Float64Array.from(edges);
}

/** Midway between two neighbouring values, never equal to the upper one (which must fall in the next bin). */
function midpoint(low: number, high: number): number {
  const middle = low + (high - low) / 2;
  return middle < high ? middle : low;
}
