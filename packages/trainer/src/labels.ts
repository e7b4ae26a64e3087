/** Labels in a stable order: numerically when they all are numbers, else by their UTF-16 code units. */
export function sortLabels(labels: readonly string[]): string[] {
  const numbers = labels.map(Number);
  if (numbers.every((value) => !Number.isNaN(value))) {
    return labels
      .map((label, index) => ({ label, value: numbers[index]! }))
      .sort((a, b) => a.value - b.value || (a.label < b.label ? -1 : 1))
      .map(({ label }) => label);
  }
  return [...labels].sort();
}
