import type { ModelManifest } from '@glyco/contract';
import type { LabelledRow } from '@glyco/prediction-log';
import { describe, expect, it } from 'vitest';
import { compareModels, verdict } from '../src/retrain/evaluation.ts';
import { primaryScore } from '../src/retrain/primary-score.ts';

/**
 * The judgement of a retrain on each task's primary metric, on answers made up so that the right figure is known:
 * which model is better, by how much, and which way is better for that metric.
 */
const row = (i: number, outcome: LabelledRow['outcome']): LabelledRow => ({
  id: `row-${i}`,
  predictedAt: new Date(i),
  modelVersion: '1.0.0',
  inputs: {},
  outcome,
});
const every = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
const judge = (manifest: ModelManifest, rows: LabelledRow[], champion: number[], challenger: number[]) =>
  compareModels({
    rows: rows.length,
    champion,
    challenger,
    score: primaryScore(manifest, rows),
    direction: manifest.task === 'regression' ? 'lower' : 'higher',
    resamples: 200,
    confidence: 0.95,
    seed: 1,
  });

describe('a retrain judges', () => {
  it('a regression model by its RMSE, lower being better, the improvement in the target unit', () => {
    const manifest = { task: 'regression' } as ModelManifest;
    const rows = Array.from({ length: 100 }, (_, i) => row(i, { value: 100 + i }));
    const actual = rows.map((_, i) => 100 + i);
    // The champion is 10 off on every row, the challenger 2 off, alternately above and below.
    const champion = actual.map((value, i) => value + (i % 2 ? 10 : -10));
    const challenger = actual.map((value, i) => value + (i % 2 ? -2 : 2));

    expect(primaryScore(manifest, rows)(champion, every(100))).toBeCloseTo(10, 10);
    const comparison = judge(manifest, rows, champion, challenger);
    expect(comparison.champion.value).toBeCloseTo(10, 10);
    expect(comparison.challenger.value).toBeCloseTo(2, 10);
    expect(comparison.improvement.value).toBeCloseTo(8, 10);
    expect(comparison.improvement.low).toBeGreaterThan(7.9);
    expect(verdict(comparison, 5, 'RMSE', 0.95)).toMatchObject({ wins: true });
    expect(verdict(comparison, 9, 'RMSE', 0.95)).toMatchObject({ wins: false });
    expect(verdict(comparison, 9, 'RMSE', 0.95).reason).toMatch(
      /^the challenger is not better by 9: RMSE on the evaluation rows: challenger 2\.0000 .* champion 10\.0000 .* improvement 8\.0000/,
    );
    // Swapped, the challenger is the worse one: a negative improvement.
    expect(judge(manifest, rows, challenger, champion).improvement.value).toBeCloseTo(-8, 10);
  });

  it('a multiclass model by the macro one-vs-rest ROC AUC of its class probabilities', () => {
    const manifest = {
      task: 'multiclass',
      target: { classLabels: ['a', 'b', 'c'] },
    } as unknown as ModelManifest;
    const rows = Array.from({ length: 90 }, (_, i) => row(i, { classIndex: i % 3, label: null }));
    // The challenger gives the observed class 0.8 and the others 0.1; the champion always the next class.
    const challenger = rows.flatMap((_, i) => [0, 1, 2].map((k) => (k === i % 3 ? 0.8 : 0.1)));
    const champion = rows.flatMap((_, i) => [0, 1, 2].map((k) => (k === (i + 1) % 3 ? 0.8 : 0.1)));

    const comparison = judge(manifest, rows, champion, challenger);
    expect(comparison.challenger.value).toBe(1);
    // Each class's AUC: its rows score 0.1, as do the rows of one other class, the third's score 0.8: 0.25.
    expect(comparison.champion.value).toBeCloseTo(0.25, 10);
    expect(comparison.improvement.value).toBeCloseTo(0.75, 10);
    expect(verdict(comparison, 0.01, 'macro ROC AUC', 0.95).wins).toBe(true);
  });

  it('a binary model by the ROC AUC of its positive class', () => {
    const manifest = { task: 'binary', metrics: { threshold: 0.5 } } as unknown as ModelManifest;
    const rows = Array.from({ length: 60 }, (_, i) => row(i, { classIndex: i % 2, label: null }));
    const ranksRight = rows.flatMap((_, i) => (i % 2 ? [0.3, 0.7] : [0.7, 0.3]));
    const coinFlip = rows.flatMap(() => [0.5, 0.5]);
    const comparison = judge(manifest, rows, coinFlip, ranksRight);
    expect([comparison.champion.value, comparison.challenger.value]).toEqual([0.5, 1]);
  });
});
