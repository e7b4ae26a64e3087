import { describe, expect, it } from 'vitest';
import {
  argmaxRows,
  classificationMetrics,
  meanSd,
  multiclassMetrics,
  regressionMetrics,
  rocAuc,
  rocCurve,
} from '../src/metrics.ts';

describe('rocAuc', () => {
  it('is the share of positive–negative pairs ranked correctly, ties counting half', () => {
    // Pairs (pos, neg): (0.9, 0.1) ✓, (0.9, 0.4) ✓, (0.4, 0.1) ✓, (0.4, 0.4) ½ → 3.5 / 4.
    expect(rocAuc([1, 1, 0, 0], [0.9, 0.4, 0.4, 0.1])).toBe(0.875);
    expect(rocAuc([1, 0], [0.2, 0.8])).toBe(0);
    expect(rocAuc([1, 1], [0.2, 0.8])).toBeNaN();
  });

  it('agrees with counting every pair on random scores with ties', () => {
    const labels = Array.from({ length: 300 }, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0));
    const scores = labels.map((_, i) => ((i * 37) % 50) / 50);
    let wins = 0;
    let pairs = 0;
    labels.forEach((a, i) => {
      labels.forEach((b, j) => {
        if (a !== 1 || b !== 0) return;
        pairs++;
        wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      });
    });
    expect(rocAuc(labels, scores)).toBeCloseTo(wins / pairs, 12);
  });
});

describe('rocCurve', () => {
  it('runs from (0,0) to (1,1) with one point per distinct score', () => {
    expect(rocCurve([1, 1, 0, 0], [0.9, 0.4, 0.4, 0.1])).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 0, tpr: 0.5 },
      { fpr: 0.5, tpr: 1 },
      { fpr: 1, tpr: 1 },
    ]);
  });
});

describe('classificationMetrics', () => {
  it('counts the confusion matrix at the threshold (inclusive) and derives accuracy, F1 and Brier', () => {
    const metrics = classificationMetrics([1, 1, 0, 0, 1], [0.9, 0.5, 0.6, 0.2, 0.1], 0.5);
    expect(metrics.confusionMatrix).toEqual({ tp: 2, fp: 1, tn: 1, fn: 1 });
    expect(metrics.accuracy).toBe(0.6);
    expect(metrics.f1).toBeCloseTo(4 / 6, 12);
    expect(metrics.brier).toBeCloseTo((0.01 + 0.25 + 0.36 + 0.04 + 0.81) / 5, 12);
  });
});

describe('multiclassMetrics', () => {
  // Rows: actual 0, 0, 1, 1, 2, 2; the fourth row is mistaken for class 2.
  const labels = [0, 0, 1, 1, 2, 2];
  const probabilities = [
    [0.8, 0.1, 0.1],
    [0.6, 0.3, 0.1],
    [0.2, 0.7, 0.1],
    [0.1, 0.3, 0.6],
    [0.1, 0.2, 0.7],
    [0.3, 0.1, 0.6],
  ].flat();

  it('counts the K×K confusion matrix (rows actual, columns predicted) and derives accuracy and macro F1', () => {
    const metrics = multiclassMetrics(labels, probabilities, ['a', 'b', 'c']);
    expect(metrics.confusionMatrix).toEqual([
      [2, 0, 0],
      [0, 1, 1],
      [0, 0, 2],
    ]);
    expect(metrics.accuracy).toBeCloseTo(5 / 6, 12);
    // F1: a 1, b 2/3 (precision 1, recall 1/2), c 0.8 (precision 2/3, recall 1).
    expect(metrics.macroF1).toBeCloseTo((1 + 2 / 3 + 0.8) / 3, 12);
    expect(metrics.perClass.map((m) => [m.label, m.support, m.recall])).toEqual([
      ['a', 2, 1],
      ['b', 2, 0.5],
      ['c', 2, 1],
    ]);
  });

  it('averages the one-vs-rest AUCs and the log-likelihood of the true class', () => {
    const metrics = multiclassMetrics(labels, probabilities, ['a', 'b', 'c']);
    const oneVsRest = [0, 1, 2].map((k) =>
      rocAuc(
        labels.map((label) => (label === k ? 1 : 0)),
        labels.map((_, i) => probabilities[i * 3 + k]!),
      ),
    );
    expect(metrics.rocAuc).toBeCloseTo((oneVsRest[0]! + oneVsRest[1]! + oneVsRest[2]!) / 3, 12);
    const trueClass = [0.8, 0.6, 0.7, 0.3, 0.7, 0.6];
    expect(metrics.logLoss).toBeCloseTo(-trueClass.reduce((s, p) => s + Math.log(p), 0) / 6, 12);
  });

  it('breaks ties toward the first class, as ONNX ArgMax does', () => {
    expect(Array.from(argmaxRows([0.4, 0.4, 0.2, 0.2, 0.4, 0.4], 3))).toEqual([0, 1]);
  });
});

describe('regressionMetrics', () => {
  it('gives RMSE, MAE and R² against the mean', () => {
    const metrics = regressionMetrics([1, 2, 3, 4], [1.5, 2, 2, 5]);
    expect(metrics.rmse).toBeCloseTo(Math.sqrt((0.25 + 0 + 1 + 1) / 4), 12);
    expect(metrics.mae).toBeCloseTo(2.5 / 4, 12);
    expect(metrics.r2).toBeCloseTo(1 - 2.25 / 5, 12);
  });
});

describe('meanSd', () => {
  it('uses the sample standard deviation', () => {
    expect(meanSd([1, 2, 3, 4])).toEqual({ mean: 2.5, sd: Math.sqrt(5 / 3), perFold: [1, 2, 3, 4] });
  });
});
