import type { ModelManifest } from '@glyco/contract';
import type { TrainedModel } from './trained-model.ts';

export const ROC_FILE = 'roc.svg';
export const CONFUSION_MATRIX_FILE = 'confusion-matrix.svg';

/** A model card in Markdown: what the model is, how it was trained, how well it does, and where it must not be trusted. */
export function renderModelCard(
  manifest: ModelManifest,
  model: TrainedModel,
  designColumns: readonly string[],
): string {
  const { metrics } = manifest;
  const cv = metrics.crossValidation;
  const fixed = (value: number) => value.toFixed(3);
  const spread = (m: { mean: number; sd: number }) => `${fixed(m.mean)} ± ${fixed(m.sd)}`;
  const [negative, positive] = manifest.target.classLabels;
  const hyperparameters = Object.entries(manifest.algorithm.hyperparameters)
    .map(([key, value]) => `\`${key}\` ${value}`)
    .join(', ');
  const candidates = manifest.algorithm.candidates
    ? `Chosen by \`auto\` on mean cross-validated ROC AUC: ${Object.entries(manifest.algorithm.candidates)
        .map(([name, auc]) => `${name} ${fixed(auc)}`)
        .join(', ')}.`
    : 'Algorithm given explicitly.';
  const featureRows = manifest.features.map((feature) => {
    const reference = manifest.reference.find((r) => r.feature === feature.name);
    const missing = reference ? `${(reference.missingRate * 100).toFixed(1)}%` : '';
    const median = reference?.count ? String(reference.quantiles[50]) : '';
    return `| \`${feature.name}\` | ${feature.description} | ${feature.unit ?? ''} | ${feature.dtype} | ${feature.min}–${feature.max} | ${feature.nullable ? 'yes' : 'no'} | ${feature.zeroMeansMissing ? 'yes' : 'no'} | ${missing} | ${median} |`;
  });
  const heldOut = metrics.heldOut;
  return `# Model card: ${manifest.name} ${manifest.version}

Binary classifier: probability that \`${manifest.target.name}\` is \`${positive}\` (rather than \`${negative}\`).
Trained by ${manifest.trainer.name} ${manifest.trainer.version} on \`${manifest.trainingData.file}\`
(${manifest.trainingData.rows} rows, ${manifest.trainingData.positives} \`${positive}\`; sha256 \`${manifest.trainingData.sha256}\`).

## Model

- Algorithm: **${manifest.algorithm.name}** (${hyperparameters}). ${candidates}
- Inside the ONNX graph (\`${manifest.onnx.file}\`, sha256 \`${manifest.onnx.sha256}\`): zeros that mean "not measured"
  become missing, missing values get the training median, skewed features are log-transformed, missing-value
  indicators are appended, then the model. Columns the model sees: ${designColumns.map((c) => `\`${c}\``).join(', ')}.
- Input \`${manifest.onnx.input.name}\`: ${manifest.onnx.input.dtype} \`[N, ${manifest.features.length}]\`, raw values in the feature order below, NaN for missing.
  Outputs \`${manifest.onnx.outputs.label}\` (int64 \`[N]\`, index into [${manifest.target.classLabels.map((l) => `\`${l}\``).join(', ')}]) and
  \`${manifest.onnx.outputs.probabilities}\` (float32 \`[N, 2]\`).
- Risk levels: low below ${manifest.riskThresholds.medium}, medium from ${manifest.riskThresholds.medium}, high from ${manifest.riskThresholds.high} (probability of \`${positive}\`).

${parametersSection(model, designColumns)}

## Performance

Stratified ${cv.folds}-fold cross-validation (seed ${cv.seed}), decision threshold ${metrics.threshold}:

| metric | mean ± sd over folds | pooled out-of-fold | refitted model on its training rows |
| --- | --- | --- | --- |
| ROC AUC | ${spread(cv.rocAuc)} | ${fixed(heldOut.rocAuc)} | ${fixed(metrics.training.rocAuc)} |
| accuracy | ${spread(cv.accuracy)} | ${fixed(heldOut.accuracy)} | ${fixed(metrics.training.accuracy)} |
| F1 | ${spread(cv.f1)} | ${fixed(heldOut.f1)} | ${fixed(metrics.training.f1)} |
| Brier score | ${spread(cv.brier)} | ${fixed(heldOut.brier)} | ${fixed(metrics.training.brier)} |

![ROC curve](roc.svg) ![Confusion matrix](confusion-matrix.svg)

Out-of-fold confusion matrix: ${heldOut.confusionMatrix.tp} true positives, ${heldOut.confusionMatrix.fp} false positives,
${heldOut.confusionMatrix.tn} true negatives, ${heldOut.confusionMatrix.fn} false negatives.

## Features

| name | description | unit | type | valid range | nullable | zero means missing | missing in training | median |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${featureRows.join('\n')}

## Limits

- Trained on ${manifest.trainingData.rows} rows of one population; it has not been validated elsewhere. A screening aid,
  not a diagnosis.
- Values outside the valid ranges are rejected by the server, not extrapolated.
- Drift is measured against the reference distributions in \`manifest.json\`.
`;
}

/** What the model learned, per column the model sees. */
function parametersSection(model: TrainedModel, columns: readonly string[]): string {
  if (model.algorithm === 'logreg') {
    const rows = model.logistic.weights.map(
      (weight, j) => `| \`${columns[j]}\` | ${weight.toFixed(3)} | ${Math.exp(weight).toFixed(2)} |`,
    );
    return `## Parameters

Logistic regression on standardised columns (intercept ${model.logistic.intercept.toFixed(3)}):

| column | weight per standard deviation | odds ratio per standard deviation |
| --- | --- | --- |
${rows.join('\n')}`;
  }
  const splits = new Array<number>(columns.length).fill(0);
  for (const tree of model.ensemble.trees) {
    for (const node of tree) if (node.feature !== undefined) splits[node.feature]!++;
  }
  const total = splits.reduce((sum, count) => sum + count, 0) || 1;
  const rows = columns.map(
    (column, j) => `| \`${column}\` | ${splits[j]} | ${((splits[j]! / total) * 100).toFixed(1)}% |`,
  );
  return `## Parameters

${model.ensemble.trees.length} trees after early stopping; how often each column is split on:

| column | splits | share |
| --- | --- | --- |
${rows.join('\n')}`;
}
