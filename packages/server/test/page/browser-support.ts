import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { startServer } from '../../src/node/server.ts';
import { testConfig } from './page-fixture.ts';

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
 * Without a browser the suites are skipped on a developer's machine, with the reason in the report; in CI
 * (CI=true) a missing browser fails the run instead, because .ci/run installs it.
 */
export const browserMissing =
  !existsSync(CHROMIUM) && process.env.CI !== 'true'
    ? `no Chromium at ${CHROMIUM}: apt-get install chromium (as .ci/run does), or set CHROMIUM_PATH`
    : undefined;
/** Screenshots for people to look at (gitignored); README's "The web page" says how one becomes docs/page.png. */
const SCREENSHOTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

export interface OpenedPage {
  page: Page;
  /** Console errors, uncaught exceptions and CSP violations seen so far. */
  problems: string[];
}

/**
 * Chromium and the node server on loopback (the bundled model, or the model directory `modelUri`), as a suite
 * drives them: `open` a path in a fresh browser context, `api` the same server directly.
 */
export function browserSuite(modelUri?: string, env: Record<string, string> = {}) {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startServer>>;
  const contexts: BrowserContext[] = [];
  return {
    get server() {
      return server;
    },
    async start(): Promise<void> {
      if (!existsSync(CHROMIUM)) {
        throw new Error(
          `no Chromium at ${CHROMIUM}: apt-get install chromium (as .ci/run does), or set CHROMIUM_PATH`,
        );
      }
      [server, browser] = await Promise.all([
        startServer(testConfig({ ...env, ...(modelUri ? { MODEL_URI: modelUri } : {}) })),
        chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
      ]);
      await mkdir(SCREENSHOTS, { recursive: true });
    },
    /** Closes the contexts the last test opened. */
    async closePages(): Promise<void> {
      await Promise.all(contexts.splice(0).map((context) => context.close()));
    },
    async stop(): Promise<void> {
      await browser?.close();
      await server?.shutdown();
    },
    async open(path: string, viewport = DESKTOP): Promise<OpenedPage> {
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
    },
    async api<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
      const response = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return (await response.json()) as T;
    },
  };
}

export const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });

export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A form field by the feature it is for (ids come from positions: a name may hold any character). */
export const fieldOf = (page: Page, name: string) =>
  page.locator(`#risk-form [name="${name.replaceAll('"', '\\"')}"]`);

/** The width of the image named `name` once loaded, 0 if it did not load: an image that shows, or not. */
export const loadedImageWidth = (page: Page, name: RegExp) =>
  page
    .getByRole('img', { name })
    .evaluate((image: HTMLImageElement) => (image.complete ? image.naturalWidth : 0));

/** Types each number into its field and chooses each category in its select. */
export async function fillRow(page: Page, row: Record<string, number | string>): Promise<void> {
  for (const [name, value] of Object.entries(row)) {
    const field = fieldOf(page, name);
    if (typeof value === 'string') await field.selectOption(value);
    else await field.fill(String(value));
  }
}

export /** Whether the page is wider than the viewport (a phone user would have to scroll sideways). */
const overflowsSideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

export /**
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
