import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSurveyCsv } from '../bench/survey-data.ts';
import { csvFileRecords } from '../src/csv.ts';
import { buildDataset, type Dataset } from '../src/dataset.ts';
import { multiclassMetrics } from '../src/metrics.ts';
import { readTable } from '../src/table.ts';
import { trainModel } from '../src/training.ts';
import { loadDataset } from './data.ts';

const work = mkdtempSync(join(tmpdir(), 'glyco-training-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function survey(rows: number, seed: number): Dataset {
  const path = join(work, `survey-${rows}-${seed}.csv`);
  writeSurveyCsv(path, rows, seed);
  return buildDataset(readTable(csvFileRecords(path)), { target: 'Diabetes_012', schema: undefined });
}

const OPTIONS = { folds: 5, seed: 42, classWeight: 'none' as const };

describe('trainModel', () => {
  it('gives the same model and the same cross-validation on worker threads as in this thread', {
    timeout: 120_000,
  }, async () => {
    // Data of more than 2,000 rows has its trees stop early on a validation split instead of an inner search:
    // both paths run.
    for (const rows of [1_500, 6_000]) {
      const dataset = survey(rows, 7);
      const inThread = await trainModel(dataset, { ...OPTIONS, algorithm: 'gbt', workers: 0 });
      const onWorkers = await trainModel(dataset, { ...OPTIONS, algorithm: 'gbt', workers: 2 });
      expect(onWorkers.model).toEqual(inThread.model);
      expect(onWorkers.crossValidation).toEqual(inThread.crossValidation);
      expect(inThread.model.components[0]!.hyperparameters.tuning).toBe(
        rows > 2_000 ? 'early stopping on 10% of the rows' : 'inner 3-fold CV',
      );
    }
  });

  it('blends the linear model and the trees when asked, with weights that sum to 1', {
    timeout: 60_000,
  }, async () => {
    const iris = loadDataset('iris.csv', 'species');
    const { model, candidates } = await trainModel(iris, { ...OPTIONS, algorithm: 'blend' });
    expect(candidates).toBeUndefined();
    expect(model.algorithm).toBe('blend');
    expect(model.components.map((c) => c.head.algorithm)).toEqual(['logreg', 'gbt']);
    expect(model.components[0]!.weight + model.components[1]!.weight).toBe(1);
  });

  it('with balanced class weights, finds more of a rare class (and reports it per class)', {
    timeout: 60_000,
  }, async () => {
    const dataset = survey(3_000, 8);
    const recall = async (classWeight: 'none' | 'balanced') => {
      const { crossValidation } = await trainModel(dataset, { ...OPTIONS, classWeight, algorithm: 'logreg' });
      return multiclassMetrics(dataset.y, crossValidation.outputs, dataset.target.classLabels).perClass[1]!
        .recall;
    };
    const plain = await recall('none');
    expect(plain).toBeLessThan(0.1);
    expect(await recall('balanced')).toBeGreaterThan(plain + 0.3);
  });

  it('refuses class weights for a regression target', async () => {
    const progression = loadDataset('diabetes-progression.csv', 'progression');
    await expect(
      trainModel(progression, { ...OPTIONS, classWeight: 'balanced', algorithm: 'ridge' }),
    ).rejects.toThrow(
      /^--class-weight balanced applies to classifiers; "progression" is a regression target$/,
    );
  });

  it.each([
    [
      'an algorithm of another task',
      { algorithm: 'ridge' as const },
      /^--algorithm ridge does not train multiclass models; use logreg, gbt, blend, auto$/,
    ],
    [
      'more folds than a class has rows',
      { folds: 60 },
      /^class "setosa" has 50 rows, too few for 60-fold cross-validation \(each fold needs one of each class\)$/,
    ],
    ['fewer than two folds', { folds: 1 }, /--folds must be an integer ≥ 2, got 1/],
  ])('refuses %s with one line', async (_, options, message) => {
    const iris = loadDataset('iris.csv', 'species');
    await expect(trainModel(iris, { ...OPTIONS, algorithm: 'auto', ...options })).rejects.toThrow(message);
  });
});
