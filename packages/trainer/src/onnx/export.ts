import { type FeatureSpec, ONNX_INPUT, ONNX_OUTPUT_LABEL, ONNX_OUTPUT_PROBABILITIES } from '@glyco/contract';
import type { TreeEnsemble } from '../gradient-boosting.ts';
import type { LogisticModel } from '../logistic-regression.ts';
import type { Preprocessing } from '../preprocessing.ts';
import type { TrainedModel } from '../trained-model.ts';
import { attr, GraphBuilder } from './graph-builder.ts';
import { ELEMENT_TYPES, encodeModel } from './model.ts';

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
 * The whole model as one ONNX graph. Input: raw float32 features `[N, F]`, NaN for missing. Everything after the
 * input runs in double precision, so the graph computes what the trainer computed to ~1e-15, and only the final
 * probabilities are rounded to float32.
 */
export function exportOnnx(model: TrainedModel, info: ExportInfo): Uint8Array {
  const graph = new GraphBuilder();
  const design = preprocessingGraph(graph, model.preprocessing, info.features);
  const logit =
    model.algorithm === 'logreg'
      ? logisticHead(graph, design, model.logistic)
      : treeHead(graph, design, model.ensemble);
  outputHead(graph, logit);
  return encodeModel({
    irVersion: IR_VERSION,
    opsets: OPSETS,
    producerName: info.producerName,
    producerVersion: info.producerVersion,
    docString: `${info.modelName}: ${model.algorithm} with its preprocessing. Input ${ONNX_INPUT}: ${info.features.map((f) => f.name).join(', ')}.`,
    graph: {
      name: info.modelName,
      nodes: graph.nodes,
      initializers: graph.initializers,
      inputs: [{ name: ONNX_INPUT, type: 'float', shape: ['N', info.features.length] }],
      outputs: [
        { name: ONNX_OUTPUT_LABEL, type: 'int64', shape: ['N'] },
        { name: ONNX_OUTPUT_PROBABILITIES, type: 'float', shape: ['N', 2] },
      ],
    },
    metadata: { features: info.features.map((f) => f.name).join(',') },
  });
}

/** Raw features → the design matrix the model head was trained on (see preprocessing.ts). */
function preprocessingGraph(
  graph: GraphBuilder,
  prep: Preprocessing,
  features: readonly FeatureSpec[],
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

function logisticHead(graph: GraphBuilder, design: string, model: LogisticModel): string {
  const d = model.weights.length;
  const centred = graph.op('Sub', [design, graph.constant('means', 'double', [d], model.means)], 'centred');
  const scaled = graph.op(
    'Div',
    [centred, graph.constant('scales', 'double', [d], model.scales)],
    'standardised',
  );
  const weighted = graph.op(
    'MatMul',
    [scaled, graph.constant('weights', 'double', [d, 1], model.weights)],
    'weighted',
  );
  return graph.op('Add', [weighted, graph.constant('intercept', 'double', [1], [model.intercept])], 'logit');
}

/** TreeEnsembleRegressor with double thresholds and leaf values; its output is float32 by the op's definition. */
function treeHead(graph: GraphBuilder, design: string, ensemble: TreeEnsemble): string {
  const nodes = ensemble.trees.flatMap((tree, treeId) =>
    tree.map((node, nodeId) => ({ treeId, nodeId, node })),
  );
  const splits = nodes.map(({ node }) => node.feature !== undefined);
  const leaves = nodes.filter(({ node }) => node.feature === undefined);
  const margin = graph.op(
    'TreeEnsembleRegressor',
    [design],
    'margin_float',
    {
      n_targets: attr.int(1),
      aggregate_function: attr.string('SUM'),
      post_transform: attr.string('NONE'),
      base_values_as_tensor: attr.doubles('base_values', [ensemble.baseMargin]),
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
      target_ids: attr.ints(leaves.map(() => 0)),
      target_weights_as_tensor: attr.doubles(
        'target_weights',
        leaves.map(({ node }) => (node.feature === undefined ? node.value : 0)),
      ),
    },
    'ai.onnx.ml',
  );
  return graph.op('Cast', [margin], 'logit', { to: attr.int(ELEMENT_TYPES.double) });
}

/** logit `[N, 1]` → probabilities `[N, 2]` (negative, positive) as float32 and the label index as int64 `[N]`. */
function outputHead(graph: GraphBuilder, logit: string): void {
  const positive = graph.op('Sigmoid', [logit], 'p_positive');
  const negative = graph.op(
    'Sub',
    [graph.constant('one_column', 'double', [1], [1]), positive],
    'p_negative',
  );
  const probabilities = graph.op('Concat', [negative, positive], 'probabilities_double', {
    axis: attr.int(1),
  });
  graph.op('Cast', [probabilities], ONNX_OUTPUT_PROBABILITIES, { to: attr.int(ELEMENT_TYPES.float) });
  // Ties (p = 0.5 exactly) go to the positive class, as the trainer's threshold `p >= 0.5` does.
  graph.op('ArgMax', [probabilities], ONNX_OUTPUT_LABEL, {
    axis: attr.int(1),
    keepdims: attr.int(0),
    select_last_index: attr.int(1),
  });
}
