import {
  type BinaryModelManifest,
  CARD_FILE,
  CONFUSION_MATRIX_FILE,
  type FeatureSpec,
  type ModelManifest,
  type MulticlassModelManifest,
  PREDICTED_VS_ACTUAL_FILE,
  RESIDUALS_FILE,
  type RegressionModelManifest,
  ROC_FILE,
} from '@glyco/contract';
import { confusionMatrixSvg, rocCurveSvg, scatterSvg } from './charts.ts';
import type { Dataset } from './dataset.ts';
import { rocCurve } from './metrics.ts';
import { designColumnNames } from './preprocessing.ts';
import type { TrainedModel } from './trained-model.ts';
import type { TrainingResult } from './training.ts';

/** The model card and its charts, by file name: ROC and confusion matrix for classifiers, scatters for regression. */
export function modelArtifacts(
  manifest: ModelManifest,
  result: TrainingResult,
  dataset: Dataset,
): Record<string, string> {
  const charts: Record<string, string> = {};
  if (manifest.task === 'regression') {
    const { actual, predicted } = manifest.metrics.heldOut.plot;
    charts[PREDICTED_VS_ACTUAL_FILE] = scatterSvg(
      'predicted-vs-actual',
      actual,
      predicted,
      manifest.target.unit,
    );
    charts[RESIDUALS_FILE] = scatterSvg('residuals', actual, predicted, manifest.target.unit);
  } else {
    const outputs = result.crossValidation.outputs;
    const labels = manifest.target.classLabels;
    const curves =
      manifest.task === 'binary'
        ? [{ points: rocCurve(dataset.y, column(outputs, 2, 1)), auc: manifest.metrics.heldOut.rocAuc }]
        : labels.map((label, k) => ({
            label,
            points: rocCurve(
              Float64Array.from(dataset.y, (y) => (y === k ? 1 : 0)),
              column(outputs, labels.length, k),
            ),
            auc: manifest.metrics.heldOut.perClass[k]!.rocAuc,
          }));
    charts[ROC_FILE] = rocCurveSvg(curves);
    charts[CONFUSION_MATRIX_FILE] = confusionMatrixSvg(confusionCounts(manifest), labels);
  }
  return { [CARD_FILE]: renderModelCard(manifest, result.model, dataset.features), ...charts };
}

function column(outputs: Float64Array, width: number, k: number): Float64Array {
  return Float64Array.from({ length: outputs.length / width }, (_, row) => outputs[row * width + k]!);
}

function confusionCounts(manifest: BinaryModelManifest | MulticlassModelManifest): number[][] {
  if (manifest.task === 'multiclass') return manifest.metrics.heldOut.confusionMatrix;
  const { tn, fp, fn, tp } = manifest.metrics.heldOut.confusionMatrix;
  return [
    [tn, fp],
    [fn, tp],
  ];
}

const fixed = (value: number) => value.toFixed(3);
const spread = (m: { mean: number; sd: number }) => `${fixed(m.mean)} ± ${fixed(m.sd)}`;

/** A model card in Markdown: what the model is, how it was trained, how well it does, and where it must not be trusted. */
export function renderModelCard(
  manifest: ModelManifest,
  model: TrainedModel,
  features: readonly FeatureSpec[],
): string {
  const designColumns = designColumnNames(model.preprocessing, features);
  return `# Model card: ${manifest.name} ${manifest.version}

${purpose(manifest)}
Trained by ${manifest.trainer.name} ${manifest.trainer.version} on \`${manifest.trainingData.file}\`
(${dataSummary(manifest)}; sha256 \`${manifest.trainingData.sha256}\`).

## Model

- Algorithm: **${manifest.algorithm.name}** (${hyperparameterList(manifest)}). ${choice(manifest)}
- Inside the ONNX graph (\`${manifest.onnx.file}\`, sha256 \`${manifest.onnx.sha256}\`): zeros that mean "not measured"
  become missing, missing values get the training median, skewed features are log-transformed, missing-value
  indicators are appended, categories become 0/1 columns, then the model. Columns the model sees: ${designColumns.map((c) => `\`${c}\``).join(', ')}.
- ${inputsLine(manifest)}
  ${outputsLine(manifest)}
${manifest.task === 'binary' ? `- Risk levels: low below ${manifest.riskThresholds.medium}, medium from ${manifest.riskThresholds.medium}, high from ${manifest.riskThresholds.high} (probability of \`${manifest.target.classLabels[1]}\`).\n` : ''}${manifest.task === 'regression' ? `- Prediction interval: value ${signed(manifest.predictionInterval.residualLow)} to value ${signed(manifest.predictionInterval.residualHigh)}${unitSuffix(manifest)} held the actual value for ${manifest.predictionInterval.coverage * 100}% of the out-of-fold predictions.\n` : ''}
${parametersSection(model, designColumns, manifest.task === 'regression' ? [] : manifest.target.classLabels)}

## Performance

${performanceSection(manifest)}

## Features

| name | description | unit | type | valid values | nullable | zero means missing | missing in training | median or commonest |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${manifest.features.map((feature) => featureRow(manifest, feature)).join('\n')}

## Limits

- Trained on ${manifest.trainingData.rows} rows of one population; it has not been validated elsewhere. A screening aid,
  not a diagnosis.
- Values outside the valid ranges, and categories not listed, are rejected by the server, not extrapolated.
- Drift is measured against the reference distributions in \`manifest.json\`.
`;
}

function purpose(manifest: ModelManifest): string {
  const target = `\`${manifest.target.name}\``;
  switch (manifest.task) {
    case 'binary': {
      const [negative, positive] = manifest.target.classLabels;
      return `Binary classifier: probability that ${target} is \`${positive}\` (rather than \`${negative}\`).`;
    }
    case 'multiclass':
      return `Multiclass classifier: the probability of each of the ${manifest.target.classLabels.length} classes of ${target} (${manifest.target.classLabels.map((l) => `\`${l}\``).join(', ')}).`;
    case 'regression':
      return `Regression model: predicts ${target} (${manifest.target.description}${unitSuffix(manifest)}).`;
  }
}

function unitSuffix(manifest: RegressionModelManifest): string {
  return manifest.target.unit ? `, in ${manifest.target.unit}` : '';
}

/** Six significant digits: a float32 input value such as 25.700000762939453 reads 25.7. */
function readable(value: number): string {
  return String(Number(value.toPrecision(6)));
}

function signed(value: number): string {
  return value < 0 ? `− ${fixed(-value)}` : `+ ${fixed(value)}`;
}

function dataSummary(manifest: ModelManifest): string {
  const rows = `${manifest.trainingData.rows} rows`;
  switch (manifest.task) {
    case 'binary':
      return `${rows}, ${manifest.trainingData.positives} \`${manifest.target.classLabels[1]}\``;
    case 'multiclass':
      return `${rows}: ${manifest.target.classLabels
        .map((label, k) => {
          const count = manifest.trainingData.classCounts[k]!;
          return `${count} \`${label}\` (${((count / manifest.trainingData.rows) * 100).toFixed(1)}%)`;
        })
        .join(', ')}`;
    case 'regression': {
      const { min, max, mean, sd } = manifest.trainingData.targetSummary;
      return `${rows}; target from ${min} to ${max}, mean ${fixed(mean)} ± ${fixed(sd)}`;
    }
  }
}

function hyperparameterList(manifest: ModelManifest): string {
  return Object.entries(manifest.algorithm.hyperparameters)
    .map(([key, value]) => `\`${key}\` ${typeof value === 'number' ? Number(value.toPrecision(6)) : value}`)
    .join(', ');
}

function choice(manifest: ModelManifest): string {
  const candidates = manifest.algorithm.candidates;
  if (!candidates)
    return `Algorithm given explicitly (\`--algorithm ${manifest.trainingOptions?.algorithm ?? manifest.algorithm.name}\`).`;
  const metric =
    manifest.task === 'regression'
      ? 'RMSE (lower is better)'
      : manifest.task === 'multiclass'
        ? 'macro ROC AUC'
        : 'ROC AUC';
  return `Chosen by \`auto\` on mean cross-validated ${metric}: ${Object.entries(candidates)
    .map(([name, score]) => `${name} ${fixed(score)}`)
    .join(', ')}.`;
}

function inputsLine(manifest: ModelManifest): string {
  const numeric = manifest.features.filter((feature) => feature.dtype !== 'category').length;
  const categorical = manifest.features.length - numeric;
  const text = manifest.onnx.categoricalInput
    ? ` and \`${manifest.onnx.categoricalInput.name}\`: string \`[N, ${categorical}]\`, the categorical features' texts in the order below, "" for missing`
    : '';
  return `Inputs \`${manifest.onnx.input.name}\`: ${manifest.onnx.input.dtype} \`[N, ${numeric}]\`, the numeric features' raw values in the order below, NaN for missing${text}.`;
}

function outputsLine(manifest: ModelManifest): string {
  if (manifest.task === 'regression') {
    return `Output \`${manifest.onnx.outputs.value}\`: float64 \`[N, 1]\`, the predicted \`${manifest.target.name}\`${unitSuffix(manifest)}.`;
  }
  const labels = manifest.target.classLabels;
  return `Outputs \`${manifest.onnx.outputs.label}\` (int64 \`[N]\`, index into [${labels.map((l) => `\`${l}\``).join(', ')}]) and
  \`${manifest.onnx.outputs.probabilities}\` (float32 \`[N, ${labels.length}]\`, one column per class in that order).`;
}

function performanceSection(manifest: ModelManifest): string {
  const cv = manifest.metrics.crossValidation;
  const intro = `${manifest.task === 'regression' ? '' : 'Stratified '}${cv.folds}-fold cross-validation (seed ${cv.seed})`;
  switch (manifest.task) {
    case 'binary': {
      const { heldOut, training } = manifest.metrics;
      const c = heldOut.confusionMatrix;
      return `${intro}, decision threshold ${manifest.metrics.threshold}:

| metric | mean ± sd over folds | pooled out-of-fold | refitted model on its training rows |
| --- | --- | --- | --- |
| ROC AUC | ${spread(manifest.metrics.crossValidation.rocAuc)} | ${fixed(heldOut.rocAuc)} | ${fixed(training.rocAuc)} |
| accuracy | ${spread(manifest.metrics.crossValidation.accuracy)} | ${fixed(heldOut.accuracy)} | ${fixed(training.accuracy)} |
| F1 | ${spread(manifest.metrics.crossValidation.f1)} | ${fixed(heldOut.f1)} | ${fixed(training.f1)} |
| Brier score | ${spread(manifest.metrics.crossValidation.brier)} | ${fixed(heldOut.brier)} | ${fixed(training.brier)} |

![ROC curve](${ROC_FILE}) ![Confusion matrix](${CONFUSION_MATRIX_FILE})

Out-of-fold confusion matrix: ${c.tp} true positives, ${c.fp} false positives,
${c.tn} true negatives, ${c.fn} false negatives.`;
    }
    case 'multiclass': {
      const { heldOut, training, crossValidation } = manifest.metrics;
      const perClass = heldOut.perClass
        .map(
          (m) =>
            `| \`${m.label}\` | ${m.support} | ${fixed(m.precision)} | ${fixed(m.recall)} | ${fixed(m.f1)} | ${fixed(m.rocAuc)} |`,
        )
        .join('\n');
      return `${intro}; the predicted class is the most probable one:

| metric | mean ± sd over folds | pooled out-of-fold | refitted model on its training rows |
| --- | --- | --- | --- |
| macro ROC AUC (one-vs-rest) | ${spread(crossValidation.rocAuc)} | ${fixed(heldOut.rocAuc)} | ${fixed(training.rocAuc)} |
| accuracy | ${spread(crossValidation.accuracy)} | ${fixed(heldOut.accuracy)} | ${fixed(training.accuracy)} |
| macro F1 | ${spread(crossValidation.macroF1)} | ${fixed(heldOut.macroF1)} | ${fixed(training.macroF1)} |
| log loss | ${spread(crossValidation.logLoss)} | ${fixed(heldOut.logLoss)} | ${fixed(training.logLoss)} |

Per class, out of fold (class weights: ${manifest.trainingOptions.classWeight}; a rare class's recall shows how
often the most probable class is it — its probability carries more than the label):

| class | rows | precision | recall | F1 | ROC AUC |
| --- | --- | --- | --- | --- | --- |
${perClass}

![ROC curves](${ROC_FILE}) ![Confusion matrix](${CONFUSION_MATRIX_FILE})`;
    }
    case 'regression': {
      const { heldOut, training, crossValidation } = manifest.metrics;
      return `${intro}; errors in the target's unit${unitSuffix(manifest)}:

| metric | mean ± sd over folds | pooled out-of-fold | refitted model on its training rows |
| --- | --- | --- | --- |
| RMSE | ${spread(crossValidation.rmse)} | ${fixed(heldOut.rmse)} | ${fixed(training.rmse)} |
| R² | ${spread(crossValidation.r2)} | ${fixed(heldOut.r2)} | ${fixed(training.r2)} |
| MAE | ${spread(crossValidation.mae)} | ${fixed(heldOut.mae)} | ${fixed(training.mae)} |

![Predicted against actual](${PREDICTED_VS_ACTUAL_FILE}) ![Residuals](${RESIDUALS_FILE})`;
    }
  }
}

function featureRow(manifest: ModelManifest, feature: FeatureSpec): string {
  const reference = manifest.reference.find((r) => r.feature === feature.name);
  const missing = reference ? `${(reference.missingRate * 100).toFixed(1)}%` : '';
  const nullable = feature.nullable ? 'yes' : 'no';
  if (feature.dtype === 'category') {
    const proportions = reference && 'categories' in reference ? reference.proportions : [];
    const commonest = proportions.length
      ? feature.categories[proportions.indexOf(Math.max(...proportions))]
      : '';
    return `| \`${feature.name}\` | ${feature.description} | | category | ${feature.categories.map((c) => `\`${c}\``).join(', ')} | ${nullable} | | ${missing} | ${commonest ? `\`${commonest}\`` : ''} |`;
  }
  const median =
    reference && 'quantiles' in reference && reference.count ? readable(reference.quantiles[50]!) : '';
  return `| \`${feature.name}\` | ${feature.description} | ${feature.unit ?? ''} | ${feature.dtype} | ${feature.min}–${feature.max} | ${nullable} | ${feature.zeroMeansMissing ? 'yes' : 'no'} | ${missing} | ${median} |`;
}

/** What the model learned, per column the model sees. */
function parametersSection(
  model: TrainedModel,
  columns: readonly string[],
  classLabels: readonly string[],
): string {
  return model.components
    .map(({ head, weight }) => {
      const share = model.components.length > 1 ? ` (weight ${weight} in the blend)` : '';
      if (head.algorithm === 'logreg' && head.logistic.weights.length === 1) {
        const rows = head.logistic.weights[0]!.map(
          (w, j) => `| \`${columns[j]}\` | ${w.toFixed(3)} | ${Math.exp(w).toFixed(2)} |`,
        );
        return `## Parameters: logistic regression${share}

On standardised columns (intercept ${head.logistic.intercepts[0]!.toFixed(3)}):

| column | weight per standard deviation | odds ratio per standard deviation |
| --- | --- | --- |
${rows.join('\n')}`;
      }
      if (head.algorithm === 'logreg' || head.algorithm === 'ridge') {
        const weights = head.algorithm === 'ridge' ? [head.ridge.weights] : head.logistic.weights;
        const title = head.algorithm === 'ridge' ? 'ridge regression' : 'multinomial logistic regression';
        const header = weights.length > 1 ? classLabels.map((label) => `\`${label}\``).join(' | ') : 'weight';
        const rows = columns.map(
          (column, j) => `| \`${column}\` | ${weights.map((w) => w[j]!.toFixed(3)).join(' | ')} |`,
        );
        return `## Parameters: ${title}${share}

Weights per standard deviation of each column:

| column | ${header} |
| --- | ${weights.map(() => '---').join(' | ')} |
${rows.join('\n')}`;
      }
      const splits = new Array<number>(columns.length).fill(0);
      for (const tree of head.ensemble.trees) {
        for (const node of tree) if (node.feature !== undefined) splits[node.feature]!++;
      }
      const total = splits.reduce((sum, count) => sum + count, 0) || 1;
      const rows = columns.map(
        (column, j) => `| \`${column}\` | ${splits[j]} | ${((splits[j]! / total) * 100).toFixed(1)}% |`,
      );
      const rounds = head.ensemble.trees.length / head.ensemble.outputs;
      const perClass =
        head.ensemble.outputs > 1 ? `, ${head.ensemble.outputs} per round (one per class)` : '';
      return `## Parameters: gradient-boosted trees${share}

${head.ensemble.trees.length} trees in ${rounds} rounds${perClass}; how often each column is split on:

| column | splits | share |
| --- | --- | --- |
${rows.join('\n')}`;
    })
    .join('\n\n');
}
