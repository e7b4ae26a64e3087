import {
  type CategoricalFeatureSpec,
  isCategorical,
  type ModelManifest,
  type NumericFeatureSpec,
} from '@glyco/contract';
import type { ModelInput } from './inference-engine.ts';

/** A numeric value as the graph takes it: the number, NaN when missing; undefined when the value is invalid. */
type NumberEncoder = (value: unknown) => number | undefined;
/** A category as the graph takes it: its text, `""` when missing; undefined when the value is invalid. */
type CategoryEncoder = (value: unknown) => string | undefined;

/**
 * The feature rules of the request schemas (feature-schemas.ts), compiled to plain checks: the same acceptance
 * as the zod schema — a property test holds them equal — at a tenth of the cost. Valid requests take this path
 * only; anything it rejects is parsed again by zod, which names every offending field.
 */
function numberEncoder(feature: NumericFeatureSpec): NumberEncoder {
  const { min, max, nullable, zeroMeansMissing } = feature;
  const integer = feature.dtype === 'integer';
  return (value) => {
    if (typeof value === 'number') {
      if (value === 0 && zeroMeansMissing) return Number.NaN;
      if (value < min || value > max || (integer && !Number.isSafeInteger(value))) return undefined;
      return value;
    }
    return nullable && (value === null || value === undefined) ? Number.NaN : undefined;
  };
}

/** Only a category the model knows: the graph would read any other text as missing, silently. */
function categoryEncoder(feature: CategoricalFeatureSpec): CategoryEncoder {
  const known = new Set(feature.categories);
  const { nullable } = feature;
  return (value) => {
    if (typeof value === 'string') return known.has(value) ? value : undefined;
    return nullable && (value === null || value === undefined) ? '' : undefined;
  };
}

export interface RowEncoder {
  /** Numeric features, in manifest order: the columns of the `features` input. */
  readonly numericFeatures: readonly NumericFeatureSpec[];
  /** Categorical features, in manifest order: the columns of the `categories` input. */
  readonly categoricalFeatures: readonly CategoricalFeatureSpec[];
  /** A zeroed input for `rows` rows, in the ONNX inputs' dtypes. */
  allocate(rows: number): ModelInput;
  /** Writes row object `row` (parsed JSON) at row index `r`; false if it is not a valid row. */
  encodeObject(row: unknown, out: ModelInput, r: number): boolean;
  /**
   * Writes row `r` of v2 tensors (row-major value arrays: the numeric features, and the categories when the model
   * has categorical features) at row index `r`; false if a value is invalid.
   */
  encodeTensorRow(
    numeric: readonly unknown[],
    categorical: readonly unknown[],
    out: ModelInput,
    r: number,
  ): boolean;
  /** How many of the features of a row object hold a value the request schema refuses (absent ones included). */
  countInvalidFeatures(row: Readonly<Record<string, unknown>>): number;
  /** How many values of row `r` of v2 tensors (as `encodeTensorRow` reads them) are invalid. */
  countInvalidTensorRow(numeric: readonly unknown[], categorical: readonly unknown[], r: number): number;
}

export function compileRowEncoder(manifest: ModelManifest): RowEncoder {
  const numericFeatures = manifest.features.filter((feature) => !isCategorical(feature));
  const categoricalFeatures = manifest.features.filter(isCategorical);
  const width = numericFeatures.length;
  const categoricalWidth = categoricalFeatures.length;
  const numericNames = numericFeatures.map((feature) => feature.name);
  const categoricalNames = categoricalFeatures.map((feature) => feature.name);
  const known = new Set(manifest.features.map((feature) => feature.name));
  const numbers = numericFeatures.map(numberEncoder);
  const categories = categoricalFeatures.map(categoryEncoder);
  const float64 = manifest.onnx.input.dtype === 'float64';
  const hasCategories = manifest.onnx.categoricalInput !== undefined;

  /** The categorical part of row `r`, the value of categorical feature `c` read by `cell(c)`. */
  function encodeCategories(cell: (c: number) => unknown, out: ModelInput, r: number): boolean {
    const texts = out.categorical!;
    for (let c = 0; c < categoricalWidth; c++) {
      const text = categories[c]!(cell(c));
      if (text === undefined) return false;
      texts[r * categoricalWidth + c] = text;
    }
    return true;
  }

  return {
    numericFeatures,
    categoricalFeatures,
    allocate: (rows) => ({
      numeric: float64 ? new Float64Array(rows * width) : new Float32Array(rows * width),
      categorical: hasCategories ? new Array<string>(rows * categoricalWidth).fill('') : undefined,
    }),
    encodeObject(row, out, r) {
      if (typeof row !== 'object' || row === null || Array.isArray(row)) return false;
      for (const key in row) if (!known.has(key)) return false;
      const record = row as Record<string, unknown>;
      const values = out.numeric;
      for (let f = 0; f < width; f++) {
        const value = numbers[f]!(record[numericNames[f]!]);
        if (value === undefined) return false;
        values[r * width + f] = value;
      }
      return categoricalWidth === 0 || encodeCategories((c) => record[categoricalNames[c]!], out, r);
    },
    encodeTensorRow(numeric, categorical, out, r) {
      const values = out.numeric;
      for (let f = 0; f < width; f++) {
        const value = numbers[f]!(numeric[r * width + f]);
        if (value === undefined) return false;
        values[r * width + f] = value;
      }
      return categoricalWidth === 0 || encodeCategories((c) => categorical[r * categoricalWidth + c], out, r);
    },
    countInvalidFeatures(row) {
      let invalid = 0;
      for (let f = 0; f < width; f++) if (numbers[f]!(row[numericNames[f]!]) === undefined) invalid++;
      for (let c = 0; c < categoricalWidth; c++) {
        if (categories[c]!(row[categoricalNames[c]!]) === undefined) invalid++;
      }
      return invalid;
    },
    countInvalidTensorRow(numeric, categorical, r) {
      let invalid = 0;
      for (let f = 0; f < width; f++) if (numbers[f]!(numeric[r * width + f]) === undefined) invalid++;
      for (let c = 0; c < categoricalWidth; c++) {
        if (categories[c]!(categorical[r * categoricalWidth + c]) === undefined) invalid++;
      }
      return invalid;
    },
  };
}
