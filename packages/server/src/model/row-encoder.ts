import type {
  NumericFeatureSpec as FeatureSpec,
  BinaryNumericManifest as ModelManifest,
} from '@glyco/contract';
import type { FeatureTensorData } from '../model/inference-engine.ts';

/** A feature value as the graph takes it: the number, NaN when missing; undefined when the value is invalid. */
type ValueEncoder = (value: unknown) => number | undefined;

/**
 * The feature rules of the request schemas (feature-schemas.ts), compiled to plain checks: the same acceptance
 * as the zod schema — a property test holds them equal — at a tenth of the cost. Valid requests take this path
 * only; anything it rejects is parsed again by zod, which names every offending field.
 */
function valueEncoder(feature: FeatureSpec): ValueEncoder {
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

export interface RowEncoder {
  readonly width: number;
  /** A zeroed tensor for `rows` rows in the ONNX input's dtype. */
  allocate(rows: number): FeatureTensorData;
  /** Writes row object `row` (parsed JSON) at row index `r`; false if it is not a valid row. */
  encodeObject(row: unknown, out: FeatureTensorData, r: number): boolean;
  /** Writes `width` values of `data` from `offset` (a row of a v2 tensor) at row index `r`; false if invalid. */
  encodeValues(data: readonly unknown[], offset: number, out: FeatureTensorData, r: number): boolean;
  /** How many of the features of a row object hold a value the request schema refuses (absent ones included). */
  countInvalidFeatures(row: Readonly<Record<string, unknown>>): number;
  /** How many of the `width` values of `data` from `offset` are invalid. */
  countInvalidValues(data: readonly unknown[], offset: number): number;
}

export function compileRowEncoder(manifest: ModelManifest): RowEncoder {
  const { features } = manifest;
  const width = features.length;
  const names = features.map((feature) => feature.name);
  const known = new Set(names);
  const encoders = features.map(valueEncoder);
  const float64 = manifest.onnx.input.dtype === 'float64';
  return {
    width,
    allocate: (rows) => (float64 ? new Float64Array(rows * width) : new Float32Array(rows * width)),
    encodeObject(row, out, r) {
      if (typeof row !== 'object' || row === null || Array.isArray(row)) return false;
      for (const key in row) if (!known.has(key)) return false;
      const record = row as Record<string, unknown>;
      for (let f = 0; f < width; f++) {
        const value = encoders[f]!(record[names[f]!]);
        if (value === undefined) return false;
        out[r * width + f] = value;
      }
      return true;
    },
    encodeValues(data, offset, out, r) {
      for (let f = 0; f < width; f++) {
        const value = encoders[f]!(data[offset + f]);
        if (value === undefined) return false;
        out[r * width + f] = value;
      }
      return true;
    },
    countInvalidFeatures(row) {
      let invalid = 0;
      for (let f = 0; f < width; f++) if (encoders[f]!(row[names[f]!]) === undefined) invalid++;
      return invalid;
    },
    countInvalidValues(data, offset) {
      let invalid = 0;
      for (let f = 0; f < width; f++) if (encoders[f]!(data[offset + f]) === undefined) invalid++;
      return invalid;
    },
  };
}
