/** Self-contained SVG charts for the model card: no scripts, no external fonts or styles. */
const FONT = 'font-family="DejaVu Sans, Arial, sans-serif"';
const SIZE = 320;
const MARGIN = 48;
const PLOT = SIZE - MARGIN - 16;
/** Line colours for up to ten classes (Tableau 10), then repeated. */
const COLOURS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

type Point = { fpr: number; tpr: number };

/** ROC curves (one per class, one-vs-rest, for multiclass) on the unit square, with the AUC of each. */
export function rocCurveSvg(
  curves: readonly { label?: string; points: readonly Point[]; auc: number }[],
): string {
  const x = (fpr: number) => (MARGIN + fpr * PLOT).toFixed(1);
  const y = (tpr: number) => (16 + (1 - tpr) * PLOT).toFixed(1);
  const paths = curves.map(({ points }, index) => {
    const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.fpr)},${y(p.tpr)}`).join(' ');
    return `<path d="${path}" fill="none" stroke="${curves.length > 1 ? colour(index) : '#1f6feb'}" stroke-width="2"/>`;
  });
  const legend = curves.map(({ label, auc }, index) => {
    const text =
      label === undefined ? `out-of-fold AUC ${auc.toFixed(3)}` : `${escapeXml(label)} ${auc.toFixed(3)}`;
    const at = 16 + PLOT - 10 - (curves.length - 1 - index) * 15;
    const fill = curves.length > 1 ? ` fill="${colour(index)}"` : '';
    return `<text x="${MARGIN + PLOT - 8}" y="${at}" text-anchor="end" font-size="${curves.length > 1 ? 11 : 13}"${fill}>${text}</text>`;
  });
  const title =
    curves.length > 1
      ? `ROC curves (cross-validated, each class against the rest), macro AUC ${mean(curves.map((c) => c.auc)).toFixed(3)}`
      : `ROC curve (cross-validated), AUC ${curves[0]!.auc.toFixed(3)}`;
  return svg(SIZE, SIZE, 11, title, [
    `<rect x="${MARGIN}" y="16" width="${PLOT}" height="${PLOT}" fill="none" stroke="#999"/>`,
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#bbb" stroke-dasharray="4 4"/>`,
    ...paths,
    unitTicks(x, y),
    `<text x="${MARGIN + PLOT / 2}" y="${SIZE - 8}" text-anchor="middle">False positive rate</text>`,
    `<text transform="translate(12 ${16 + PLOT / 2}) rotate(-90)" text-anchor="middle">True positive rate</text>`,
    ...legend,
  ]);
}

function unitTicks(x: (v: number) => string, y: (v: number) => string): string {
  return [0, 0.25, 0.5, 0.75, 1]
    .map(
      (t) =>
        `<text x="${x(t)}" y="${SIZE - MARGIN + 16}" text-anchor="middle">${t}</text>` +
        `<text x="${MARGIN - 6}" y="${(Number(y(t)) + 4).toFixed(1)}" text-anchor="end">${t}</text>`,
    )
    .join('');
}

/** A K×K confusion matrix: rows actual class, columns predicted class, shaded by count. */
export function confusionMatrixSvg(
  matrix: readonly (readonly number[])[],
  classLabels: readonly string[],
): string {
  const k = classLabels.length;
  const cell = k <= 2 ? 100 : Math.max(36, Math.floor(300 / k));
  const left = 110;
  const top = 50;
  const total = matrix.flat().reduce((sum, count) => sum + count, 0);
  const max = Math.max(1, ...matrix.flat());
  const body = matrix
    .flatMap((row, r) =>
      row.map((count, c) => {
        const shade = Math.round(255 - (count / max) * 170);
        const cx = left + c * cell;
        const cy = top + r * cell;
        const share = total ? ((count / total) * 100).toFixed(1) : '0.0';
        const big = cell >= 80;
        return (
          `<rect x="${cx}" y="${cy}" width="${cell}" height="${cell}" fill="rgb(${shade},${shade},255)" stroke="#fff"/>` +
          `<text x="${cx + cell / 2}" y="${cy + cell / 2}" text-anchor="middle" font-size="${big ? 20 : 12}">${count}</text>` +
          (big
            ? `<text x="${cx + cell / 2}" y="${cy + cell / 2 + 20}" text-anchor="middle">${share}%</text>`
            : '')
        );
      }),
    )
    .join('');
  const labels = classLabels
    .map(
      (label, i) =>
        `<text x="${left + i * cell + cell / 2}" y="${top - 8}" text-anchor="middle">${escapeXml(label)}</text>` +
        `<text x="${left - 8}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end">${escapeXml(label)}</text>`,
    )
    .join('');
  const width = left + k * cell + 16;
  const height = top + k * cell + 16;
  return svg(width, height, 12, 'Confusion matrix (cross-validated): rows actual, columns predicted', [
    `<text x="${left + (k * cell) / 2}" y="18" text-anchor="middle" font-weight="bold">predicted</text>`,
    `<text transform="translate(16 ${top + (k * cell) / 2}) rotate(-90)" text-anchor="middle" font-weight="bold">actual</text>`,
    labels,
    body,
  ]);
}

/**
 * A scatter of out-of-fold pairs: predicted against actual (with the diagonal), or residual against predicted
 * (with the zero line). `unit` labels the axes.
 */
export function scatterSvg(
  kind: 'predicted-vs-actual' | 'residuals',
  actual: readonly number[],
  predicted: readonly number[],
  unit: string | null,
): string {
  const points =
    kind === 'predicted-vs-actual'
      ? actual.map((a, i) => ({ x: a, y: predicted[i]! }))
      : predicted.map((p, i) => ({ x: p, y: actual[i]! - p }));
  const [xLow, xHigh] = extent(
    points.map((p) => p.x).concat(kind === 'predicted-vs-actual' ? predicted : []),
  );
  const [yLow, yHigh] = kind === 'predicted-vs-actual' ? [xLow, xHigh] : symmetric(points.map((p) => p.y));
  const x = (v: number) => (MARGIN + ((v - xLow) / (xHigh - xLow || 1)) * PLOT).toFixed(1);
  const y = (v: number) => (16 + (1 - (v - yLow) / (yHigh - yLow || 1)) * PLOT).toFixed(1);
  const suffix = unit ? ` (${escapeXml(unit)})` : '';
  const reference =
    kind === 'predicted-vs-actual'
      ? `<line x1="${x(xLow)}" y1="${y(xLow)}" x2="${x(xHigh)}" y2="${y(xHigh)}" stroke="#bbb" stroke-dasharray="4 4"/>`
      : `<line x1="${x(xLow)}" y1="${y(0)}" x2="${x(xHigh)}" y2="${y(0)}" stroke="#bbb" stroke-dasharray="4 4"/>`;
  const dots = points.map(
    (p) => `<circle cx="${x(p.x)}" cy="${y(p.y)}" r="2" fill="#1f6feb" fill-opacity="0.5"/>`,
  );
  const ticks = [0, 0.5, 1]
    .map((t) => {
      const xv = xLow + t * (xHigh - xLow);
      const yv = yLow + t * (yHigh - yLow);
      return (
        `<text x="${x(xv)}" y="${SIZE - MARGIN + 16}" text-anchor="middle">${tick(xv)}</text>` +
        `<text x="${MARGIN - 6}" y="${(Number(y(yv)) + 4).toFixed(1)}" text-anchor="end">${tick(yv)}</text>`
      );
    })
    .join('');
  const [xTitle, yTitle, title] =
    kind === 'predicted-vs-actual'
      ? [`Actual${suffix}`, `Predicted${suffix}`, 'Predicted against actual (cross-validated)']
      : [
          `Predicted${suffix}`,
          `Residual: actual − predicted${suffix}`,
          'Residuals against predicted (cross-validated)',
        ];
  return svg(SIZE, SIZE, 11, title, [
    `<rect x="${MARGIN}" y="16" width="${PLOT}" height="${PLOT}" fill="none" stroke="#999"/>`,
    reference,
    ...dots,
    ticks,
    `<text x="${MARGIN + PLOT / 2}" y="${SIZE - 8}" text-anchor="middle">${xTitle}</text>`,
    `<text transform="translate(12 ${16 + PLOT / 2}) rotate(-90)" text-anchor="middle">${yTitle}</text>`,
  ]);
}

function svg(
  width: number,
  height: number,
  fontSize: number,
  title: string,
  body: readonly string[],
): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="${fontSize}">`,
    `<title>${title}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function extent(values: readonly number[]): [number, number] {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  return low === high ? [low - 1, high + 1] : [low, high];
}

function symmetric(values: readonly number[]): [number, number] {
  const [low, high] = extent(values);
  const reach = Math.max(Math.abs(low), Math.abs(high));
  return [-reach, reach];
}

function tick(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : Number(value.toPrecision(3)).toString();
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function colour(index: number): string {
  return COLOURS[index % COLOURS.length]!;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
