import type { ConfusionMatrix } from '@glyco/contract';

/** Self-contained SVG charts for the model card: no scripts, no external fonts or styles. */
const FONT = 'font-family="DejaVu Sans, Arial, sans-serif"';

export function rocCurveSvg(points: readonly { fpr: number; tpr: number }[], auc: number): string {
  const size = 320;
  const margin = 48;
  const plot = size - margin - 16;
  const x = (fpr: number) => (margin + fpr * plot).toFixed(1);
  const y = (tpr: number) => (16 + (1 - tpr) * plot).toFixed(1);
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.fpr)},${y(p.tpr)}`).join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (t) =>
        `<text x="${x(t)}" y="${size - margin + 16}" text-anchor="middle">${t}</text>` +
        `<text x="${margin - 6}" y="${(Number(y(t)) + 4).toFixed(1)}" text-anchor="end">${t}</text>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" ${FONT} font-size="11">`,
    `<title>ROC curve (cross-validated), AUC ${auc.toFixed(3)}</title>`,
    `<rect width="${size}" height="${size}" fill="#fff"/>`,
    `<rect x="${margin}" y="16" width="${plot}" height="${plot}" fill="none" stroke="#999"/>`,
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#bbb" stroke-dasharray="4 4"/>`,
    `<path d="${path}" fill="none" stroke="#1f6feb" stroke-width="2"/>`,
    ticks,
    `<text x="${margin + plot / 2}" y="${size - 8}" text-anchor="middle">False positive rate</text>`,
    `<text transform="translate(12 ${16 + plot / 2}) rotate(-90)" text-anchor="middle">True positive rate</text>`,
    `<text x="${margin + plot - 8}" y="${16 + plot - 10}" text-anchor="end" font-size="13">out-of-fold AUC ${auc.toFixed(3)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

export function confusionMatrixSvg(matrix: ConfusionMatrix, classLabels: readonly [string, string]): string {
  const cell = 100;
  const left = 110;
  const top = 50;
  const total = matrix.tp + matrix.fp + matrix.tn + matrix.fn;
  // Rows: actual class; columns: predicted class; order negative, positive.
  const cells = [
    [matrix.tn, matrix.fp],
    [matrix.fn, matrix.tp],
  ];
  const max = Math.max(...cells.flat(), 1);
  const body = cells
    .flatMap((row, r) =>
      row.map((count, c) => {
        const shade = Math.round(255 - (count / max) * 170);
        const cx = left + c * cell;
        const cy = top + r * cell;
        const share = total ? ((count / total) * 100).toFixed(1) : '0.0';
        return (
          `<rect x="${cx}" y="${cy}" width="${cell}" height="${cell}" fill="rgb(${shade},${shade},255)" stroke="#fff"/>` +
          `<text x="${cx + cell / 2}" y="${cy + cell / 2}" text-anchor="middle" font-size="20">${count}</text>` +
          `<text x="${cx + cell / 2}" y="${cy + cell / 2 + 20}" text-anchor="middle">${share}%</text>`
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
  const width = left + 2 * cell + 16;
  const height = top + 2 * cell + 16;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
    '<title>Confusion matrix (cross-validated): rows actual, columns predicted</title>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left + cell}" y="18" text-anchor="middle" font-weight="bold">predicted</text>`,
    `<text transform="translate(16 ${top + cell}) rotate(-90)" text-anchor="middle" font-weight="bold">actual</text>`,
    labels,
    body,
    '</svg>',
    '',
  ].join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
