import {
  type CategoricalFeatureSpec,
  type FeatureSpec,
  isCategorical,
  type NumericFeatureSpec,
  ONNX_CATEGORICAL_INPUT,
  ONNX_INPUT,
  ONNX_OUTPUT_LABEL,
  ONNX_OUTPUT_PROBABILITIES,
  ONNX_OUTPUT_VALUE,
} from '@glyco/contract';
import type { TreeEnsemble } from '../gradient-boosting.ts';
import type { LogisticModel } from '../logistic-regression.ts';
import type { Preprocessing } from '../preprocessing.ts';
import type { RidgeModel } from '../ridge.ts';
import type { Head, TrainedModel } from '../trained-model.ts';
import { attr, GraphBuilder } from './graph-builder.ts';
import { ELEMENT_TYPES, encodeModel, type ValueInfo } from './model.ts';

/** IR 8 with default opset 17 and ai.onnx.ml 3: loaded by onnxruntime and checked by onnx ≥ 1.12. */
export const OPSETS = { '': 17, 'ai.onnx.ml': 3 } as const;
const IR_VERSION = 8;

export type ExportInfo = {
  producerName: string;
  producerVersion: string;
  modelName: string;
  features: FeatureSpec[];
};

/**
 * The whole model as one ONNX graph. Inputs: raw numeric features float32 `[N, F]` (NaN for missing) and, when
 * there are categorical features, their texts `[N, C]` ("" for missing). Everything after the inputs runs in
 * double precision, so the graph computes what the trainer computed to ~1e-15; classifiers round only the final
 * probabilities to float32, regression models output double values.
 */
export function exportOnnx(model: TrainedModel, info: ExportInfo): Uint8Array {
  const graph = new GraphBuilder();
  const numeric = info.features.filter((feature): feature is NumericFeatureSpec => !isCategorical(feature));
  const categorical = info.features.filter(isCategorical);
  const design = designGraph(graph, model.preprocessing, numeric, categorical);
  const blended = model.components.length > 1;
  if (model.task === 'regression') {
    const values = model.components.map(({ head }) =>
      logit(graph, design, head, blended ? `${head.algorithm}_` : ''),
    );
    const value = blended ? mix(graph, values, model.components, 'value_double') : values[0]!;
    graph.op('Identity', [value], ONNX_OUTPUT_VALUE);
  } else if (model.task === 'binary' && !blended) {
    binaryOutputs(graph, logit(graph, design, model.components[0]!.head, ''));
  } else {
    const probabilities = model.components.map(({ head }) => {
      const prefix = blended ? `${head.algorithm}_` : '';
      return probabilityHead(graph, design, head, model.task, prefix, `${prefix}probabilities_double`);
    });
    const mixed = blended
      ? mix(graph, probabilities, model.components, 'probabilities_double')
      : probabilities[0]!;
    classifierOutputs(graph, mixed, model.task === 'binary');
  }
  const names = info.features.map((f) => f.name);
  return encodeModel({
    irVersion: IR_VERSION,
    opsets: OPSETS,
    producerName: info.producerName,
    producerVersion: info.producerVersion,
    docString: docString(info, model, numeric, categorical),
    graph: {
      name: info.modelName,
      nodes: graph.nodes,
      initializers: graph.initializers,
      inputs: [
        { name: ONNX_INPUT, type: 'float', shape: ['N', numeric.length] },
        ...(categorical.length
          ? [{ name: ONNX_CATEGORICAL_INPUT, type: 'string', shape: ['N', categorical.length] } as const]
          : []),
      ],
      outputs: outputInfo(model),
    },
    metadata: { features: names.join(',') },
  });
}

function docString(
  info: ExportInfo,
  model: TrainedModel,
  numeric: readonly FeatureSpec[],
  categorical: readonly FeatureSpec[],
): string {
  const inputs = `Input ${ONNX_INPUT}: ${numeric.map((f) => f.name).join(', ')}.`;
  const texts = categorical.length
    ? ` Input ${ONNX_CATEGORICAL_INPUT}: ${categorical.map((f) => f.name).join(', ')}.`
    : '';
  return `${info.modelName}: ${model.algorithm} with its preprocessing. ${inputs}${texts}`;
}

function outputInfo(model: TrainedModel): ValueInfo[] {
  if (model.task === 'regression') return [{ name: ONNX_OUTPUT_VALUE, type: 'double', shape: ['N', 1] }];
  return [
    { name: ONNX_OUTPUT_LABEL, type: 'int64', shape: ['N'] },
    {
      name: ONNX_OUTPUT_PROBABILITIES,
      type: 'float',
      shape: ['N', model.task === 'binary' ? 2 : model.outputs],
    },
  ];
}

/** Raw inputs → the design matrix the model heads were trained on (see preprocessing.ts). */
function designGraph(
  graph: GraphBuilder,
  prep: Preprocessing,
  numeric: readonly NumericFeatureSpec[],
  categorical: readonly CategoricalFeatureSpec[],
): string {
  const parts: string[] = [];
  if (numeric.length) parts.push(numericGraph(graph, prep, numeric));
  categorical.forEach((feature, position) => {
    parts.push(...oneHotGraph(graph, feature, position, prep.categorical[position]!.missingIndicator));
  });
  return parts.length === 1 ? parts[0]! : graph.op('Concat', parts, 'design_all', { axis: attr.int(1) });
}

function numericGraph(
  graph: GraphBuilder,
  prep: Preprocessing,
  features: readonly NumericFeatureSpec[],
): string {
  const f = features.length;
  let x = graph.op('Cast', [ONNX_INPUT], 'raw_double', { to: attr.int(ELEMENT_TYPES.double) });
  if (features.some((feature) => feature.zeroMeansMissing)) {
    const zero = graph.constant('zero', 'double', [], [0]);
    const isZero = graph.op('Equal', [x, zero], 'is_zero');
    const mask = graph.constant(
      'zero_means_missing',
      'bool',
      [f],
      features.map((feature) => Number(feature.zeroMeansMissing)),
    );
    const zeroMissing = graph.op('And', [isZero, mask], 'zero_is_missing');
    x = graph.op(
      'Where',
      [zeroMissing, graph.constant('nan', 'double', [], [Number.NaN]), x],
      'with_missing',
    );
  }
  const missing = graph.op('IsNaN', [x], 'missing');
  let design = graph.op(
    'Where',
    [missing, graph.constant('fill_values', 'double', [f], prep.fillValues), x],
    'filled',
  );
  if (prep.logTransform.some(Boolean)) {
    const one = graph.constant('one', 'double', [], [1]);
    const logged = graph.op('Log', [graph.op('Add', [design, one], 'filled_plus_one')], 'log1p');
    const mask = graph.constant('log_transform', 'bool', [f], prep.logTransform.map(Number));
    design = graph.op('Where', [mask, logged, design], 'transformed');
  }
  if (prep.missingIndicators.length) {
    const indices = graph.constant(
      'indicator_columns',
      'int64',
      [prep.missingIndicators.length],
      prep.missingIndicators,
    );
    const picked = graph.op('Gather', [missing, indices], 'indicators_bool', { axis: attr.int(1) });
    const indicators = graph.op('Cast', [picked], 'indicators', { to: attr.int(ELEMENT_TYPES.double) });
    design = graph.op('Concat', [design, indicators], 'design', { axis: attr.int(1) });
  }
  return design;
}

/**
 * One categorical input column → its one-hot columns `[N, K]` (LabelEncoder: text → category index, -1 for ""
 * and unknown texts; Equal against 0…K−1) and, when fitted, a "missing" column (index -1).
 */
function oneHotGraph(
  graph: GraphBuilder,
  feature: CategoricalFeatureSpec,
  position: number,
  missingIndicator: boolean,
): string[] {
  const name = `category${position}`;
  const column = graph.op(
    'Gather',
    [ONNX_CATEGORICAL_INPUT, graph.constant(`${name}_column`, 'int64', [1], [position])],
    `${name}_text`,
    { axis: attr.int(1) },
  );
  const codes = graph.op(
    'LabelEncoder',
    [column],
    `${name}_code`,
    {
      keys_strings: attr.strings(feature.categories),
      values_int64s: attr.ints(feature.categories.map((_, index) => index)),
      default_int64: attr.int(-1),
    },
    'ai.onnx.ml',
  );
  const indices = graph.constant(
    `${name}_indices`,
    'int64',
    [feature.categories.length],
    feature.categories.map((_, index) => index),
  );
  const hot = graph.op('Equal', [codes, indices], `${name}_is`);
  const parts = [graph.op('Cast', [hot], `${name}_onehot`, { to: attr.int(ELEMENT_TYPES.double) })];
  if (missingIndicator) {
    const absent = graph.op(
      'Equal',
      [codes, graph.constant(`${name}_none`, 'int64', [], [-1])],
      `${name}_absent`,
    );
    parts.push(graph.op('Cast', [absent], `${name}_missing`, { to: attr.int(ELEMENT_TYPES.double) }));
  }
  return parts;
}

/** A head's margins `[N, outputs]`: linear (standardise, multiply, add intercepts) or tree sums. */
function logit(graph: GraphBuilder, design: string, head: Head, prefix: string): string {
  if (head.algorithm === 'logreg') return linearHead(graph, design, head.logistic, prefix, 'logit');
  if (head.algorithm === 'ridge')
    return linearHead(graph, design, ridgeAsLinear(head.ridge), prefix, 'logit');
  return treeHead(graph, design, head.ensemble, prefix);
}

function ridgeAsLinear(ridge: RidgeModel): LogisticModel {
  return {
    means: ridge.means,
    scales: ridge.scales,
    weights: [ridge.weights],
    intercepts: [ridge.intercept],
  };
}

function linearHead(
  graph: GraphBuilder,
  design: string,
  model: LogisticModel,
  prefix: string,
  output: string,
): string {
  const d = model.means.length;
  const k = model.weights.length;
  const centred = graph.op(
    'Sub',
    [design, graph.constant(`${prefix}means`, 'double', [d], model.means)],
    `${prefix}centred`,
  );
  const scaled = graph.op(
    'Div',
    [centred, graph.constant(`${prefix}scales`, 'double', [d], model.scales)],
    `${prefix}standardised`,
  );
  // Weights as a [d, K] matrix: column k holds class k's weights.
  const weights = Array.from(
    { length: d * k },
    (_, index) => model.weights[index % k]![Math.floor(index / k)]!,
  );
  const weighted = graph.op(
    'MatMul',
    [scaled, graph.constant(`${prefix}weights`, 'double', [d, k], weights)],
    `${prefix}weighted`,
  );
  return graph.op(
    'Add',
    [weighted, graph.constant(`${prefix}intercept`, 'double', [k], model.intercepts)],
    `${prefix}${output}`,
  );
}

/** TreeEnsembleRegressor with double thresholds and leaf values; its output is float32 by the op's definition. */
function treeHead(graph: GraphBuilder, design: string, ensemble: TreeEnsemble, prefix: string): string {
  const nodes = ensemble.trees.flatMap((tree, treeId) =>
    tree.map((node, nodeId) => ({ treeId, nodeId, node })),
  );
  const splits = nodes.map(({ node }) => node.feature !== undefined);
  const leaves = nodes.filter(({ node }) => node.feature === undefined);
  const margin = graph.op(
    'TreeEnsembleRegressor',
    [design],
    `${prefix}margin_float`,
    {
      n_targets: attr.int(ensemble.outputs),
      aggregate_function: attr.string('SUM'),
      post_transform: attr.string('NONE'),
      base_values_as_tensor: attr.doubles('base_values', ensemble.baseMargins),
      nodes_treeids: attr.ints(nodes.map((n) => n.treeId)),
      nodes_nodeids: attr.ints(nodes.map((n) => n.nodeId)),
      nodes_modes: attr.strings(splits.map((split) => (split ? 'BRANCH_LEQ' : 'LEAF'))),
      nodes_featureids: attr.ints(nodes.map(({ node }) => node.feature ?? 0)),
      nodes_values_as_tensor: attr.doubles(
        'nodes_values',
        nodes.map(({ node }) => (node.feature !== undefined ? node.threshold : 0)),
      ),
      nodes_truenodeids: attr.ints(nodes.map(({ node }) => (node.feature !== undefined ? node.left : 0))),
      nodes_falsenodeids: attr.ints(nodes.map(({ node }) => (node.feature !== undefined ? node.right : 0))),
      target_treeids: attr.ints(leaves.map((n) => n.treeId)),
      target_nodeids: attr.ints(leaves.map((n) => n.nodeId)),
      target_ids: attr.ints(leaves.map((n) => n.treeId % ensemble.outputs)),
      target_weights_as_tensor: attr.doubles(
        'target_weights',
        leaves.map(({ node }) => (node.feature === undefined ? node.value : 0)),
      ),
    },
    'ai.onnx.ml',
  );
  return graph.op('Cast', [margin], `${prefix}logit`, { to: attr.int(ELEMENT_TYPES.double) });
}

/** A classifier head's probabilities `[N, K]` in double: sigmoid (binary, as [1 − p, p]) or softmax. */
function probabilityHead(
  graph: GraphBuilder,
  design: string,
  head: Head,
  task: string,
  prefix: string,
  output: string,
): string {
  const margins = logit(graph, design, head, prefix);
  if (task !== 'binary') return graph.op('Softmax', [margins], output, { axis: attr.int(1) });
  return positiveAndNegative(graph, margins, prefix, output);
}

function positiveAndNegative(graph: GraphBuilder, margin: string, prefix: string, output: string): string {
  const positive = graph.op('Sigmoid', [margin], `${prefix}p_positive`);
  const negative = graph.op(
    'Sub',
    [graph.constant(`${prefix}one_column`, 'double', [1], [1]), positive],
    `${prefix}p_negative`,
  );
  return graph.op('Concat', [negative, positive], output, { axis: attr.int(1) });
}

/** Σ weight · output over the blend's components, in component order. */
function mix(
  graph: GraphBuilder,
  outputs: string[],
  components: TrainedModel['components'],
  output: string,
): string {
  const weighted = outputs.map((value, index) =>
    graph.op(
      'Mul',
      [value, graph.constant(`weight${index}`, 'double', [], [components[index]!.weight])],
      `weighted${index}`,
    ),
  );
  return weighted.reduce((sum, term, index) =>
    graph.op('Add', [sum, term], index === weighted.length - 1 ? output : `mixed${index}`),
  );
}

/** A single binary model: logit → probabilities [N, 2] (negative, positive) → outputs, as every binary model was. */
function binaryOutputs(graph: GraphBuilder, logitName: string): void {
  classifierOutputs(graph, positiveAndNegative(graph, logitName, '', 'probabilities_double'), true);
}

/** Probabilities as float32 and the label index as int64 `[N]`. */
function classifierOutputs(graph: GraphBuilder, probabilities: string, binary: boolean): void {
  graph.op('Cast', [probabilities], ONNX_OUTPUT_PROBABILITIES, { to: attr.int(ELEMENT_TYPES.float) });
  // Binary ties (p = 0.5 exactly) go to the positive class, as the threshold `p >= 0.5` does; multiclass ties to
  // the first class, as the trainer's argmax does.
  graph.op('ArgMax', [probabilities], ONNX_OUTPUT_LABEL, {
    axis: attr.int(1),
    keepdims: attr.int(0),
    select_last_index: attr.int(binary ? 1 : 0),
  });
}
