import type { FeatureSpec } from '@glyco/contract';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset, FeatureColumn } from '../src/dataset.ts';
import { fitModel } from '../src/model-fitting.ts';
import { exportOnnx } from '../src/onnx/export.ts';
import { allRows } from '../src/preprocessing.ts';
import { seededRandom } from '../src/random.ts';
import { predictRows, type TrainedModel } from '../src/trained-model.ts';
import { modelData, outputWidth } from '../src/training.ts';
import { datasetOf, loadDataset, loadPima, PIMA_NA_CSV } from './data.ts';
import { type RawRow, rawRows, runOnnx } from './onnx-runner.ts';

/** The largest gap tolerated between the trainer's outputs and onnxruntime's, on every row. */
const TOLERANCE = 1e-5;

function fit(
  dataset: Dataset,
  components: TrainedModel['components'][number]['head']['algorithm'][],
): TrainedModel {
  const weights = components.length > 1 ? [0.6, 0.4] : undefined;
  return fitModel(modelData(dataset, 'none'), {
    components,
    ...(weights && { weights }),
    rows: allRows(dataset.rows),
    seed: 42,
  });
}

async function sessionOf(model: TrainedModel, features: FeatureSpec[]) {
  const bytes = exportOnnx(model, {
    producerName: 'test',
    producerVersion: '0',
    modelName: 'parity',
    features,
  });
  return ort.InferenceSession.create(bytes);
}

/** The same dataset with some cells replaced (NaN, or -1 for categories). */
function withColumns(
  dataset: Dataset,
  edit: (column: FeatureColumn, feature: FeatureSpec) => FeatureColumn,
): Dataset {
  return {
    ...dataset,
    columns: dataset.columns.map((column, index) => edit(column, dataset.features[index]!)),
  };
}

/** Largest |trainer − onnxruntime| over every output of every row, and how many labels disagree. */
async function compare(session: ort.InferenceSession, model: TrainedModel, dataset: Dataset, raw: RawRow[]) {
  const expected = predictRows(model, dataset);
  const onnx = await runOnnx(session, dataset.features, raw);
  const width = outputWidth(dataset);
  const actual = dataset.task === 'regression' ? onnx.values! : onnx.probabilities!;
  const gaps = Array.from(expected, (value, index) => Math.abs(value - actual[index]!));
  const rowSums = Array.from({ length: raw.length }, (_, row) =>
    actual.slice(row * width, (row + 1) * width).reduce((sum, p) => sum + p, 0),
  );
  const labelMismatches =
    dataset.task === 'regression'
      ? 0
      : onnx.labels!.filter((label, row) => {
          const probabilities = Array.from(expected.subarray(row * width, (row + 1) * width));
          const best =
            dataset.task === 'binary'
              ? Number(probabilities[1]! >= 0.5)
              : probabilities.indexOf(Math.max(...probabilities));
          return label !== best;
        }).length;
  return { maxGap: Math.max(...gaps), rowSums, labelMismatches, dims: onnx.dims };
}

const pima = loadPima();
const pimaWithEmptyCells = loadPima(PIMA_NA_CSV);

describe.each([['logreg'], ['gbt'], ['logreg', 'gbt']] as const)(
  'binary %s (Pima): the exported ONNX model computes what the trainer computes',
  (...components) => {
    let model: TrainedModel;
    let session: ort.InferenceSession;
    beforeAll(async () => {
      model = fit(pima.dataset, [...components]);
      session = await sessionOf(model, pima.dataset.features);
    });

    it('on every raw Pima row, zeros meaning "not measured" included', async () => {
      const result = await compare(session, model, pima.dataset, pima.rawRows);
      expect(result.dims).toEqual({ label: [768], probabilities: [768, 2] });
      expect(result.maxGap).toBeLessThan(TOLERANCE);
      expect(result.labelMismatches).toBe(0);
      for (const sum of result.rowSums) expect(sum).toBeCloseTo(1, 6);
    });

    it('on every row with empty cells sent as NaN', async () => {
      const result = await compare(session, model, pimaWithEmptyCells.dataset, pimaWithEmptyCells.rawRows);
      expect(result.maxGap).toBeLessThan(TOLERANCE);
      expect(result.labelMismatches).toBe(0);
    });

    it('on rows with random cells missing, in any column, and a single all-missing row', async () => {
      const random = seededRandom(5);
      const holey = withColumns(pima.dataset, (column) =>
        Float64Array.from(column, (value) => (random() < 0.3 ? Number.NaN : value)),
      );
      const result = await compare(session, model, holey, rawRows(holey));
      expect(result.maxGap).toBeLessThan(TOLERANCE);
      expect(result.labelMismatches).toBe(0);
      const empty = withColumns({ ...pima.dataset, rows: 1, y: pima.dataset.y.subarray(0, 1) }, () =>
        Float64Array.of(Number.NaN),
      );
      const single = await compare(session, model, empty, rawRows(empty));
      expect(single.dims).toEqual({ label: [1], probabilities: [1, 2] });
      expect(single.maxGap).toBeLessThan(TOLERANCE);
    });
  },
);

const iris = loadDataset('iris.csv', 'species');

describe.each([['logreg'], ['gbt'], ['logreg', 'gbt']] as const)(
  'multiclass %s (iris): probabilities [N, 3] agree on every row and sum to 1',
  (...components) => {
    it('agrees with the trainer, and its labels are the most probable classes', async () => {
      const model = fit(iris, [...components]);
      const result = await compare(await sessionOf(model, iris.features), model, iris, rawRows(iris));
      expect(result.dims).toEqual({ label: [150], probabilities: [150, 3] });
      expect(result.maxGap).toBeLessThan(TOLERANCE);
      expect(result.labelMismatches).toBe(0);
      for (const sum of result.rowSums) expect(sum).toBeCloseTo(1, 6);
    });
  },
);

const progression = loadDataset('diabetes-progression.csv', 'progression');

describe.each([['ridge'], ['gbt'], ['ridge', 'gbt']] as const)(
  'regression %s (diabetes progression): the value [N, 1] agrees on every row',
  (...components) => {
    it('agrees with the trainer in double precision', async () => {
      const model = fit(progression, [...components]);
      const result = await compare(
        await sessionOf(model, progression.features),
        model,
        progression,
        rawRows(progression),
      );
      expect(result.dims).toEqual({ value: [442, 1] });
      expect(result.maxGap).toBeLessThan(TOLERANCE);
    });
  },
);

/** Hospital-readmission-shaped data: numbers, categories with spaces and hyphens in names, missing cells. */
function readmissions(rows: number, seed: number): string {
  const random = seededRandom(seed);
  const races = ['Caucasian', 'AfricanAmerican', 'Hispanic', 'Asian', ''];
  const admissions = ['Emergency', 'Urgent', 'Elective'];
  const lines = ['age,race,admission type,time-in-hospital,readmitted'];
  for (let i = 0; i < rows; i++) {
    const race = races[Math.floor(random() * races.length)]!;
    const admission = admissions[Math.floor(random() * admissions.length)]!;
    const age = Math.floor(20 + random() * 70);
    const days = random() < 0.1 ? '' : String(1 + Math.floor(random() * 14));
    const risk = (admission === 'Emergency' ? 1 : 0) + (race === 'Asian' ? -1 : 0) + age / 40 + random() * 2;
    lines.push(`${age},${race},${admission},${days},${risk > 2.6 ? '<30' : risk > 2 ? '>30' : 'NO'}`);
  }
  return `${lines.join('\n')}\n`;
}

describe.each([['logreg'], ['gbt']] as const)(
  'categorical features (%s): texts in, one-hot inside the graph',
  (component) => {
    const dataset = datasetOf(readmissions(400, 11), { target: 'readmitted', schema: undefined });

    it('takes the categories as a string tensor and agrees on every row, missing ones ("") included', async () => {
      expect(dataset.task).toBe('multiclass');
      expect(dataset.features.map((f) => [f.name, f.dtype])).toEqual([
        ['age', 'integer'],
        ['race', 'category'],
        ['admission type', 'category'],
        ['time-in-hospital', 'integer'],
      ]);
      const model = fit(dataset, [component]);
      const session = await sessionOf(model, dataset.features);
      expect(session.inputNames).toEqual(['features', 'categories']);
      const result = await compare(session, model, dataset, rawRows(dataset));
      expect(result.maxGap).toBeLessThan(TOLERANCE);
      expect(result.labelMismatches).toBe(0);
    });

    it('treats a category it never saw as missing (a server rejects it before the graph ever sees it)', async () => {
      const model = fit(dataset, [component]);
      const session = await sessionOf(model, dataset.features);
      const raw = rawRows(dataset)
        .slice(0, 20)
        .map((row) => [row[0]!, 'Martian', row[2]!, row[3]!]);
      const missing = withColumns({ ...dataset, rows: 20 }, (column, feature) =>
        feature.name === 'race' ? new Int32Array(20).fill(-1) : column.slice(0, 20),
      );
      const result = await compare(session, model, missing, raw);
      expect(result.maxGap).toBeLessThan(TOLERANCE);
    });

    it('works with categorical features only (the numeric input is then [N, 0])', async () => {
      const onlyCategories = datasetOf(
        readmissions(300, 12)
          .split('\n')
          .map((line) => line.split(',').slice(1, 3).concat(line.split(',').slice(4)).join(','))
          .join('\n'),
        { target: 'readmitted', schema: undefined },
      );
      expect(onlyCategories.features.every((f) => f.dtype === 'category')).toBe(true);
      const model = fit(onlyCategories, [component]);
      const session = await sessionOf(model, onlyCategories.features);
      const result = await compare(session, model, onlyCategories, rawRows(onlyCategories));
      expect(result.maxGap).toBeLessThan(TOLERANCE);
    });
  },
);
