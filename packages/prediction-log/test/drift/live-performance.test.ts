import { describe, expect, it } from 'vitest';
import { livePerformance, type Outcome, rocAuc } from '../../src/drift/live-performance.ts';

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
