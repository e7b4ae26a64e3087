/** A number as people read it: at most `digits` significant digits, no float noise (32.29999923706055 → 32.3). */
export function formatNumber(value: number, digits = 4): string {
  return String(Number(value.toPrecision(digits)));
}

/** A valid range with its unit, e.g. "1–600 mg/dL". */
export function formatRange(min: number, max: number, unit: string | null): string {
  const range = `${formatNumber(min)}–${formatNumber(max)}`;
  return unit ? `${range} ${unit}` : range;
}

/** A proportion as a percentage with one decimal, e.g. 0.2961 → "29.6%". */
export function formatPercent(proportion: number): string {
  return `${(proportion * 100).toFixed(1)}%`;
}
