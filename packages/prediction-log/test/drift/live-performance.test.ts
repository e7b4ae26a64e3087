import { describe, expect, it } from 'vitest';
import {
  livePerformance,
  multiclassLivePerformance,
  type Outcome,
  regressionLivePerformance,
  rocAuc,
} from '../../src/drift/live-performance.ts';

const labelled = (pairs: [number, 0 | 1][]): Outcome[] =>
  pairs.map(([probability, outcome]) => ({ probability, outcome, prediction: probability >= 0.5 ? 1 : 0 }));

describe('live performance from reported outcomes', () => {
  it('computes ROC AUC as the chance a positive outscores a negative, ties counting half', () => {
    // The scikit-learn documentation example: 0.75.
    expect(
      rocAuc(
        labelled([
          [0.1, 0],
          [0.4, 0],
          [0.35, 1],
          [0.8, 1],
        ]),
      ),
    ).toBe(0.75);
    expect(
      rocAuc(
        labelled([
          [0.2, 0],
          [0.9, 1],
        ]),
      ),
    ).toBe(1);
    expect(
      rocAuc(
        labelled([
          [0.9, 0],
          [0.2, 1],
        ]),
      ),
    ).toBe(0);
    expect(
      rocAuc(
        labelled([
          [0.5, 0],
          [0.5, 1],
          [0.5, 1],
        ]),
      ),
    ).toBe(0.5);
    expect(
      rocAuc(
        labelled([
          [0.5, 1],
          [0.7, 1],
        ]),
      ),
    ).toBeNull();
  });

  it('reports accuracy, Brier score and calibration in the large, against the held-out AUC', () => {
    const performance = livePerformance(
      labelled([
        [0.9, 1],
        [0.2, 0],
        [0.6, 0],
        [0.3, 1],
      ]),
      0.84,
    );
    expect(performance).toEqual({
      task: 'binary',
      outcomes: 4,
      positives: 2,
      roc_auc: 0.75,
      reference_roc_auc: 0.84,
      accuracy: 0.5,
      brier: (0.01 + 0.04 + 0.36 + 0.49) / 4,
      mean_probability: 0.5,
      observed_rate: 0.5,
    });
    expect(livePerformance([], 0.84)).toBeNull();
  });
});

describe('live performance of a multiclass model', () => {
  const labels = ['setosa', 'versicolor', 'virginica'];
  const reference = { accuracy: 0.96, macroF1: 0.95 };

  it('gives accuracy, and macro F1 over the classes observed or predicted, as scikit-learn does', () => {
    // y_true [0, 0, 1, 1, 1], y_pred [0, 1, 1, 1, 0]: f1_score(average="macro") = (0.5 + 2/3) / 2; class 2 absent.
    const outcomes = [
      [0, 0],
      [1, 0],
      [1, 1],
      [1, 1],
      [0, 1],
    ].map(([prediction, outcome]) => ({ prediction: prediction!, outcome: outcome! }));
    const performance = multiclassLivePerformance(outcomes, labels, reference)!;
    expect(performance).toMatchObject({
      task: 'multiclass',
      outcomes: 5,
      accuracy: 0.6,
      reference_accuracy: 0.96,
      reference_macro_f1: 0.95,
    });
    expect(performance.macro_f1).toBeCloseTo((0.5 + 2 / 3) / 2, 12);
    expect(performance.classes).toEqual([
      { label: 'setosa', observed: 2, correct: 1, predicted: 2, f1: 0.5 },
      { label: 'versicolor', observed: 3, correct: 2, predicted: 3, f1: 2 / 3 },
      { label: 'virginica', observed: 0, correct: 0, predicted: 0, f1: null },
    ]);
    expect(multiclassLivePerformance([], labels, reference)).toBeNull();
  });
});

describe('live performance of a regression model', () => {
  it('gives RMSE, MAE and the mean residual in the target unit, against the held-out figures', () => {
    const outcomes = [
      { value: 100, observedValue: 110 },
      { value: 200, observedValue: 170 },
      { value: 150, observedValue: 150 },
      { value: 50, observedValue: 70 },
    ];
    expect(regressionLivePerformance(outcomes, { rmse: 54, mae: 44 })).toEqual({
      task: 'regression',
      outcomes: 4,
      rmse: Math.sqrt((100 + 900 + 0 + 400) / 4),
      mae: (10 + 30 + 0 + 20) / 4,
      mean_residual: (10 - 30 + 0 + 20) / 4,
      reference_rmse: 54,
      reference_mae: 44,
    });
    expect(regressionLivePerformance([], { rmse: 54, mae: 44 })).toBeNull();
  });
});
