/** Left-aligned columns two spaces apart; a short row (an unusable entry) runs its last cell on unaligned. */
export function table(rows: string[][]): string {
  const full = rows.filter((row) => row.length === rows[0]!.length);
  const widths = rows[0]!.map((_, column) => Math.max(...full.map((row) => row[column]!.length)));
  const line = (row: string[]) =>
    row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ');
  return rows.map(line).join('\n');
}

/** `2026-11-23T07:55:12.345Z` → `2026-11-23 07:55Z` */
export function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
}
