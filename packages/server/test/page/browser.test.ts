import type { BinaryModelManifest } from '@glyco/contract';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exampleRow } from '../../src/model/example-row.ts';
import type { WhatIfResult } from '../../src/page/what-if.ts';
import {
  browserMissing,
  browserSuite,
  escapeRegExp,
  fieldOf,
  fillRow,
  loadedImageWidth,
  lowContrastText,
  overflowsSideways,
  PHONE,
  screenshot,
} from './browser-support.ts';
import { VALID_ROW } from './page-fixture.ts';

const suite = browserSuite();
let manifest: BinaryModelManifest;

beforeAll(async () => {
  if (browserMissing) return;
  await suite.start();
  manifest = suite.server.runtime.models.current().manifest as BinaryModelManifest;
}, 60_000);
afterEach(() => suite.closePages());
afterAll(() => suite.stop());

const open = suite.open;
const api = suite.api;

describe.skipIf(browserMissing)('the risk form in Chromium', { timeout: 30_000 }, () => {
  it('has one labelled number input per manifest feature, with its valid range and the optional ones marked', async () => {
    const { page, problems } = await open('/');
    for (const feature of manifest.features) {
      if (feature.dtype === 'category') throw new Error('the bundled model has no categorical feature');
      const input = page.getByRole('spinbutton', {
        name: new RegExp(`^${escapeRegExp(feature.description)}`),
      });
      const { label, hint, min, max, required } = await input.evaluate((element: HTMLInputElement) => ({
        label: element.labels?.[0]?.textContent ?? '',
        hint: document.getElementById(element.getAttribute('aria-describedby') ?? '')?.textContent ?? '',
        min: element.min,
        max: element.max,
        required: element.required,
      }));
      expect([min, max]).toEqual([String(feature.min), String(feature.max)]);
      expect(label.includes('optional')).toBe(feature.nullable);
      expect(required).toBe(!feature.nullable);
      if (feature.unit) expect(label).toContain(`(${feature.unit})`);
      expect(hint).toContain(`${feature.min}–${feature.max}`);
    }
    expect(problems).toEqual([]);
  });

  it('is usable from the keyboard: skip link first, then every field in manifest order, with a visible focus ring', async () => {
    const { page } = await open('/');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to main content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    const reached: string[] = [];
    for (let i = 0; i < 20 && !reached.includes('submit'); i++) {
      await page.keyboard.press('Tab');
      reached.push(
        await page.evaluate(
          () => document.activeElement?.getAttribute('type') ?? document.activeElement?.id ?? '',
        ),
      );
      if (reached.at(-1) === 'number') {
        const focused = await page.evaluate(() => [
          document.activeElement?.id,
          getComputedStyle(document.activeElement!).outlineStyle,
        ]);
        reached[reached.length - 1] = focused[0]!;
        expect(focused[1]).not.toBe('none');
      }
    }
    const fields = reached.filter((id) => id.startsWith('feature-'));
    expect(fields).toEqual(manifest.features.map((_, index) => `feature-${index}`));
    expect(reached.at(-1)).toBe('submit');
  });

  it('shows the probability, risk level and model version for a valid row, and a what-if chart per feature', async () => {
    const { page, problems } = await open('/');
    await fillRow(page, VALID_ROW);
    await page.getByRole('button', { name: 'Estimate risk' }).click();
    const probability = page.locator('.result-value');
    await probability.waitFor();
    const expected = await api<{ probability: number; risk_level: string }>('/predict', VALID_ROW);
    expect(await probability.textContent()).toBe(`${(expected.probability * 100).toFixed(1)}%`);
    const result = (await page.locator('#result').textContent()) ?? '';
    expect(result).toContain(`Risk level: ${expected.risk_level}`);
    expect(result).toContain(`${manifest.name} ${manifest.version}`);

    const charts = page.locator('#what-if-charts > li');
    await page.locator('#what-if').waitFor();
    expect(await charts.count()).toBe(manifest.features.length);
    const whatIf = await api<WhatIfResult>('/what-if', VALID_ROW);
    expect(
      await charts.evaluateAll((items) => items.map((item) => item.getAttribute('data-feature'))),
    ).toEqual(whatIf.features.map((curve) => curve.feature));
    const glucose = page.locator('#what-if-charts > li[data-feature="glucose"]');
    expect(await glucose.locator('circle.now').count()).toBe(1);
    const insulin = page.locator('#what-if-charts > li[data-feature="insulin"]');
    expect(await insulin.locator('circle.now').count()).toBe(0);
    expect(await insulin.textContent()).toContain('not entered');

    await screenshot(page, 'page-desktop');
    expect(problems).toEqual([]);
  });

  it('puts the API error for an invalid value at its field, and clears it once the value is corrected', async () => {
    const { page, problems } = await open('/');
    await fillRow(page, { ...VALID_ROW, glucose: 900 });
    const glucose = fieldOf(page, 'glucose');
    await glucose.press('Enter');
    const glucoseIndex = manifest.features.findIndex((feature) => feature.name === 'glucose');
    const error = page.locator(`#error-${glucoseIndex}`);
    await error.waitFor();
    expect(await error.textContent()).toBe('must be at most 600 mg/dL');
    expect(await glucose.getAttribute('aria-invalid')).toBe('true');
    expect(await glucose.getAttribute('aria-describedby')).toContain(`error-${glucoseIndex}`);
    expect(await page.locator('.field-error:visible').count()).toBe(1);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('error-summary');
    await page.getByRole('link', { name: /must be at most 600 mg\/dL/ }).click();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('glucose');
    expect(await page.locator('#result').textContent()).toContain('No result');
    await screenshot(page, 'page-error-desktop');
    expect(await lowContrastText(page)).toEqual([]);

    await glucose.fill('120');
    await page.getByRole('button', { name: 'Estimate risk' }).click();
    await page.locator('.result-value').waitFor();
    expect(await error.isHidden()).toBe(true);
    expect(await glucose.getAttribute('aria-invalid')).toBeNull();
    // Chromium logs every 4xx response; the 422s themselves are what this test asks for.
    expect(problems.filter((problem) => !problem.includes('status of 422'))).toEqual([]);
  });

  it('fits a phone: one column, no sideways scrolling, and the typical values fill the form', async () => {
    const { page, problems } = await open('/', PHONE);
    expect(await overflowsSideways(page)).toBe(false);
    await page.getByRole('button', { name: 'Fill in typical values' }).click();
    const typical = exampleRow(manifest);
    for (const feature of manifest.features) {
      expect(await fieldOf(page, feature.name).inputValue()).toBe(String(typical[feature.name]));
    }
    await page.getByRole('button', { name: 'Estimate risk' }).click();
    await page.locator('#what-if-charts > li').first().waitFor();
    expect(await overflowsSideways(page)).toBe(false);
    const [form, result] = await Promise.all([
      page.locator('#risk-form').boundingBox(),
      page.locator('#result').boundingBox(),
    ]);
    expect(result!.y).toBeGreaterThan(form!.y + form!.height);
    await screenshot(page, 'page-phone');
    expect(problems).toEqual([]);
  });
});

describe.skipIf(browserMissing)('the model card in Chromium', { timeout: 30_000 }, () => {
  it('loads the ROC curve and the confusion matrix', async () => {
    const { page, problems } = await open(`/models/${manifest.name}`);
    for (const name of [/^ROC curve/, /^Confusion matrix/]) {
      expect(await loadedImageWidth(page, name)).toBeGreaterThan(0);
    }
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      `Model card: ${manifest.name} ${manifest.version}`,
    );
    await screenshot(page, 'card-desktop');
    expect(problems).toEqual([]);
  });

  it('fits a phone: wide tables scroll inside their own box, not the page', async () => {
    const { page, problems } = await open(`/models/${manifest.name}`, PHONE);
    expect(await overflowsSideways(page)).toBe(false);
    await screenshot(page, 'card-phone');
    expect(problems).toEqual([]);
  });
});
