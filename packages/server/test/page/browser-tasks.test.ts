/**
 * The page in Chromium for the tasks beside binary: a multiclass model on numbers (iris), a multiclass model on
 * categorical features whose names hold a space and a hyphen (readmissions), and a regression model (diabetes
 * progression). Each answer shown must be the API's; the page must stay accessible and CSP-clean.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WhatIfResult } from '../../src/page/what-if.ts';
import type {
  MulticlassRowPrediction,
  RegressionRowPrediction,
} from '../../src/prediction/row-prediction.ts';
import {
  IRIS_DIR,
  IRIS_ROW,
  PROGRESSION,
  PROGRESSION_DIR,
  PROGRESSION_ROW,
  READMISSIONS,
  READMISSIONS_DIR,
  READMISSIONS_ROW,
} from '../support/task-models.ts';
import {
  browserMissing,
  browserSuite,
  fieldOf,
  fillRow,
  loadedImageWidth,
  lowContrastText,
  overflowsSideways,
  PHONE,
  screenshot,
} from './browser-support.ts';

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
const formatNumber = (value: number) => String(Number(value.toPrecision(4)));

/** One suite per model: its own server, Chromium shared by its tests. */
function suiteFor(modelUri: string) {
  const suite = browserSuite(modelUri);
  beforeAll(async () => {
    if (!browserMissing) await suite.start();
  }, 60_000);
  afterEach(() => suite.closePages());
  afterAll(() => suite.stop());
  return suite;
}

describe.skipIf(browserMissing)('a multiclass model in Chromium (iris)', { timeout: 30_000 }, () => {
  const suite = suiteFor(IRIS_DIR);

  it('shows the predicted class and a probability bar per class, the API’s, and one line per class in each what-if chart', async () => {
    const { page, problems } = await suite.open('/');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Predict species');
    await fillRow(page, IRIS_ROW);
    await page.getByRole('button', { name: 'Predict' }).click();
    await page.locator('.result-value').waitFor();
    const expected = await suite.api<MulticlassRowPrediction>('/predict', IRIS_ROW);
    expect(await page.locator('.result-value').textContent()).toBe(expected.label);
    const bars = page.locator('.class-bars > li');
    expect(await bars.count()).toBe(3);
    const shown = await bars.evaluateAll((items) =>
      items.map((item) => [
        item.getAttribute('data-class'),
        item.querySelector('.class-share')?.textContent,
        item.classList.contains('predicted'),
        Number(item.querySelector('rect.fill')?.getAttribute('width')),
      ]),
    );
    expect(shown).toEqual(
      Object.entries(expected.probabilities).map(([label, share]) => [
        label,
        percent(share),
        label === expected.label,
        Number((share * 100).toFixed(2)),
      ]),
    );

    await page.locator('#what-if-charts > li').first().waitFor();
    const whatIf = await suite.api<WhatIfResult>('/what-if', IRIS_ROW);
    const charts = page.locator('#what-if-charts > li');
    expect(
      await charts.evaluateAll((items) => items.map((item) => item.getAttribute('data-feature'))),
    ).toEqual(whatIf.features.map((curve) => curve.feature));
    for (let i = 0; i < 4; i++) {
      expect(await charts.nth(i).locator('polyline.curve').count()).toBe(3);
      expect(await charts.nth(i).locator('circle.now').count()).toBe(1);
    }
    expect(await charts.first().textContent()).toContain(`Probability of ${expected.label}`);
    expect(await page.locator('#what-if-legend > li').allTextContents()).toEqual([
      'setosa',
      'versicolor',
      'virginica',
    ]);
    expect(await lowContrastText(page)).toEqual([]);
    await screenshot(page, 'page-multiclass-desktop');
    expect(problems).toEqual([]);
  });

  it('shows its card: the metrics, the K×K confusion matrix as a table, and the figures loaded', async () => {
    const { page, problems } = await suite.open('/models/iris');
    for (const name of [/^ROC curves/, /^Confusion matrix of the 3 classes/]) {
      expect(await loadedImageWidth(page, name)).toBeGreaterThan(0);
    }
    const diagonal = await page.locator('table.confusion td.diagonal').allTextContents();
    expect(diagonal).toHaveLength(3);
    expect(await lowContrastText(page)).toEqual([]);
    await screenshot(page, 'card-multiclass-desktop');
    expect(problems).toEqual([]);
  });
});

describe.skipIf(browserMissing)(
  'a model on categorical features in Chromium (readmissions)',
  { timeout: 30_000 },
  () => {
    const suite = suiteFor(READMISSIONS_DIR);

    it('offers a select per categorical feature, reached from the keyboard in manifest order', async () => {
      const { page, problems } = await suite.open('/');
      const admission = page.getByRole('combobox', { name: /^Admission type/ });
      expect(await admission.locator('option').allTextContents()).toEqual([
        'Choose…',
        'Elective',
        'Emergency',
        'Urgent',
      ]);
      expect(await admission.getAttribute('required')).toBe('');
      const race = page.getByRole('combobox', { name: /^Race/ });
      expect(await race.locator('option').first().textContent()).toBe('Not known');
      await page.locator('#main').focus();
      const order: string[] = [];
      for (let i = 0; i < 12 && order.length < READMISSIONS.features.length; i++) {
        await page.keyboard.press('Tab');
        const name = await page.evaluate(() => document.activeElement?.getAttribute('name') ?? '');
        if (name) order.push(name);
      }
      expect(order).toEqual(READMISSIONS.features.map((feature) => feature.name));
      expect(problems).toEqual([]);
    });

    it('puts "is required" at a category left unchosen, then shows the answer once it is chosen', async () => {
      const { page, problems } = await suite.open('/');
      const { 'admission type': _unchosen, ...rest } = READMISSIONS_ROW;
      await fillRow(page, rest);
      await page.getByRole('button', { name: 'Predict' }).click();
      const error = page.locator('#error-1');
      await error.waitFor();
      expect(await error.textContent()).toBe('is required');
      expect(await fieldOf(page, 'admission type').getAttribute('aria-invalid')).toBe('true');
      expect(await lowContrastText(page)).toEqual([]);

      await fieldOf(page, 'admission type').selectOption('Emergency');
      await page.getByRole('button', { name: 'Predict' }).click();
      await page.locator('.class-bars').waitFor();
      const expected = await suite.api<MulticlassRowPrediction>('/predict', READMISSIONS_ROW);
      expect(await page.locator('.result-value').textContent()).toBe(expected.label);
      expect(await error.isHidden()).toBe(true);
      await page.locator('#what-if-charts > li').first().waitFor();
      const race = page.locator('#what-if-charts > li[data-feature="race"]');
      // A categorical sweep: one mark per category and class, the entered category dotted.
      expect(await race.locator('line.mark').count()).toBe(4 * 3);
      expect(await race.locator('circle.now').count()).toBe(1);
      expect(await race.textContent()).toContain('(entered)');
      await screenshot(page, 'page-categorical-desktop');
      expect(problems.filter((problem) => !problem.includes('status of 422'))).toEqual([]);
    });

    it('fits a phone, with the typical values filling the selects too', async () => {
      const { page, problems } = await suite.open('/', PHONE);
      await page.getByRole('button', { name: 'Fill in typical values' }).click();
      expect(await fieldOf(page, 'admission type').inputValue()).toBe('Emergency');
      expect(await fieldOf(page, 'race').inputValue()).toBe('Caucasian');
      await page.getByRole('button', { name: 'Predict' }).click();
      await page.locator('#what-if-charts > li').first().waitFor();
      expect(await overflowsSideways(page)).toBe(false);
      await screenshot(page, 'page-categorical-phone');
      expect(problems).toEqual([]);
    });
  },
);

describe.skipIf(browserMissing)(
  'a regression model in Chromium (diabetes progression)',
  { timeout: 30_000 },
  () => {
    const suite = suiteFor(PROGRESSION_DIR);

    it('shows the value and its interval, the API’s, and a what-if chart of the value per feature', async () => {
      const { page, problems } = await suite.open('/');
      await fillRow(page, PROGRESSION_ROW);
      await page.getByRole('button', { name: 'Predict' }).click();
      await page.locator('.result-value').waitFor();
      const expected = await suite.api<RegressionRowPrediction>('/predict', PROGRESSION_ROW);
      expect(await page.locator('.result-value').textContent()).toBe(formatNumber(expected.value));
      expect(await page.locator('.interval').textContent()).toBe(
        `90% interval: ${formatNumber(expected.interval.low)} to ${formatNumber(expected.interval.high)}`,
      );
      await page.locator('#what-if-charts > li').first().waitFor();
      const charts = page.locator('#what-if-charts > li');
      expect(await charts.count()).toBe(PROGRESSION.features.length);
      expect(await charts.first().locator('polyline.curve').count()).toBe(1);
      expect(await page.locator('#what-if-legend').isHidden()).toBe(true);
      expect(await lowContrastText(page)).toEqual([]);
      await screenshot(page, 'page-regression-desktop');
      expect(problems).toEqual([]);
    });

    it('shows its card with the predicted-versus-actual and residual plots loaded, and fits a phone', async () => {
      const { page, problems } = await suite.open('/models/diabetes-progression');
      for (const name of [/^Out-of-fold predicted progression/, /^Out-of-fold residuals/]) {
        expect(await loadedImageWidth(page, name)).toBeGreaterThan(0);
      }
      await screenshot(page, 'card-regression-desktop');
      const phone = await suite.open('/models/diabetes-progression', PHONE);
      expect(await overflowsSideways(phone.page)).toBe(false);
      expect([...problems, ...phone.problems]).toEqual([]);
    });
  },
);
