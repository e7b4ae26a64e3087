import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BinaryModelManifest } from '@glyco/contract';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exampleRow } from '../../src/model/example-row.ts';
import type { RunningServer } from '../../src/node/server.ts';
import type { WhatIfResult } from '../../src/page/what-if.ts';
import { startTestServer, VALID_ROW } from './page-fixture.ts';

/** Debian's Chromium, which .ci/run installs; CHROMIUM_PATH points elsewhere. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/**
 * Without a browser the suite is skipped on a developer's machine, with the reason in the report; in CI
 * (CI=true) a missing browser fails the run instead, because .ci/run installs it.
 */
const browserMissing =
  !existsSync(CHROMIUM) && process.env.CI !== 'true'
    ? `no Chromium at ${CHROMIUM}: apt-get install chromium (as .ci/run does), or set CHROMIUM_PATH`
    : undefined;
/** Screenshots for people to look at (gitignored); README's "The web page" says how one becomes docs/page.png. */
const SCREENSHOTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let server: RunningServer;
let browser: Browser;
let manifest: BinaryModelManifest;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (browserMissing) return;
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: apt-get install chromium (as .ci/run does), or set CHROMIUM_PATH`,
    );
  }
  [server, browser] = await Promise.all([
    startTestServer(),
    chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
  ]);
  manifest = server.runtime.models.current().manifest as BinaryModelManifest;
  await mkdir(SCREENSHOTS, { recursive: true });
}, 60_000);

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

afterAll(async () => {
  await browser?.close();
  await server?.shutdown();
});

interface OpenedPage {
  page: Page;
  /** Console errors, uncaught exceptions and CSP violations seen so far. */
  problems: string[];
}

async function open(path: string, viewport = DESKTOP): Promise<OpenedPage> {
  const phone = viewport.width < 600;
  const context = await browser.newContext({
    viewport,
    isMobile: phone,
    hasTouch: phone,
    deviceScaleFactor: phone ? 2 : 1,
  });
  contexts.push(context);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${server.url}${path}`);
  return { page, problems };
}

const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A form field by the feature it is for (ids come from positions: a name may hold any character). */
const fieldOf = (page: Page, name: string) =>
  page.locator(`#risk-form [name="${name.replaceAll('"', '\\"')}"]`);

async function fillRow(page: Page, row: Record<string, number | string>): Promise<void> {
  for (const [name, value] of Object.entries(row)) {
    const field = fieldOf(page, name);
    if (typeof value === 'string') await field.selectOption(value);
    else await field.fill(String(value));
  }
}

async function api<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as T;
}

/** Whether the page is wider than the viewport (a phone user would have to scroll sideways). */
const overflowsSideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

/**
 * Text whose colour against its effective background (the nearest opaque ancestor background) falls below WCAG
 * AA: 4.5:1, or 3:1 for large text (≥ 24 px, or ≥ 18.66 px bold). Computed by Chromium from the live page.
 */
const lowContrastText = (page: Page) =>
  page.evaluate(() => {
    const rgba = (color: string) => (color.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r = 0, g = 0, b = 0]: number[]) => {
      const [R, G, B] = [r, g, b].map((c) => {
        const v = c / 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * R! + 0.7152 * G! + 0.0722 * B!;
    };
    const background = (element: Element | null): number[] => {
      for (let node = element; node; node = node.parentElement) {
        const color = rgba(getComputedStyle(node).backgroundColor);
        if (color.length === 3 || color[3] === 1) return color;
      }
      return [255, 255, 255];
    };
    const failures: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      const element = text.parentElement;
      if (!element || !text.textContent?.trim() || !element.checkVisibility()) continue;
      const style = getComputedStyle(element);
      const [l1, l2] = [luminance(rgba(style.color)), luminance(background(element))];
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      const size = Number.parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5))
        failures.push(`${text.textContent.trim().slice(0, 40)}: ${ratio.toFixed(2)}`);
    }
    return failures;
  });

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
      const width = await page
        .getByRole('img', { name })
        .evaluate((image: HTMLImageElement) => (image.complete ? image.naturalWidth : 0));
      expect(width).toBeGreaterThan(0);
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
