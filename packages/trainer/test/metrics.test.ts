import { describe, expect, it } from 'vitest';
import { classificationMetrics, meanSd, rocAuc, rocCurve } from '../src/metrics.ts';

describe('rocAuc', () => {
  it('is the share of positive–negative pairs ranked correctly, ties counting half', () => {
    // Pairs (pos, neg): (0.9, 0.1) ✓, (0.9, 0.4) ✓, (0.4, 0.1) ✓, (0.4, 0.4) ½ → 3.5 / 4.
    expect(rocAuc([1, 1, 0, 0], [0.9, 0.4, 0.4, 0.1])).toBe(0.875);
    expect(rocAuc([1, 0], [0.2, 0.8])).toBe(0);
    expect(rocAuc([1, 1], [0.2, 0.8])).toBeNaN();
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

describe('meanSd', () => {
  it('uses the sample standard deviation', () => {
    expect(meanSd([1, 2, 3, 4])).toEqual({ mean: 2.5, sd: Math.sqrt(5 / 3), perFold: [1, 2, 3, 4] });
  });
});
