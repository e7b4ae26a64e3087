import { createApiKey } from '@glyco/contract';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, browserSuite, fillRow } from './browser-support.ts';
import { VALID_ROW } from './page-fixture.ts';

const predictor = createApiKey('ward-page', ['predict']);
const suite = browserSuite(undefined, { API_KEYS: JSON.stringify({ keys: [predictor.entry] }) });

beforeAll(async () => {
  if (!browserMissing) await suite.start();
}, 60_000);
afterEach(() => suite.closePages());
afterAll(() => suite.stop());

describe.skipIf(browserMissing)(
  'the risk form with authentication on, in Chromium',
  { timeout: 30_000 },
  () => {
    it('asks once for an API key, keeps it in the tab, and sends it with every request', async () => {
      const { page, problems } = await suite.open('/');
      const asked: string[] = [];
      page.on('dialog', (dialog) => {
        asked.push(dialog.message());
        void dialog.accept(predictor.key);
      });
      const sentKeys: (string | undefined)[] = [];
      page.on('request', (request) => {
        if (request.method() === 'POST') sentKeys.push(request.headers()['x-api-key']);
      });
      await fillRow(page, VALID_ROW);
      await page.getByRole('button', { name: 'Estimate risk' }).click();
      await page.locator('.result-value').waitFor();
      await page.locator('#what-if').waitFor();
      expect(asked).toEqual(['This server needs an API key with the predict scope (kept in this tab only):']);
      expect(await page.evaluate(() => sessionStorage.getItem('glyco-api-key'))).toBe(predictor.key);
      expect(await page.evaluate(() => localStorage.length)).toBe(0);

      // Reloaded, the tab still holds the key: the next estimate asks nothing and sends it at once.
      await page.reload();
      sentKeys.length = 0;
      await fillRow(page, VALID_ROW);
      await page.getByRole('button', { name: 'Estimate risk' }).click();
      await page.locator('.result-value').waitFor();
      expect(asked).toHaveLength(1);
      expect(sentKeys.length).toBeGreaterThanOrEqual(2);
      expect(sentKeys.every((key) => key === predictor.key)).toBe(true);
      // Chromium logs the two first requests' 401s, which made the page ask; nothing else went wrong.
      expect(problems).toEqual(
        Array(2).fill('Failed to load resource: the server responded with a status of 401 (Unauthorized)'),
      );
    });

    it('says a wrong key was refused, forgets it, and asks again next time', async () => {
      const { page } = await suite.open('/');
      let asked = 0;
      page.on('dialog', (dialog) => {
        asked++;
        void dialog.accept('glyco_not-a-key-this-server-holds');
      });
      await fillRow(page, VALID_ROW);
      await page.getByRole('button', { name: 'Estimate risk' }).click();
      await page.locator('#error-summary:not([hidden])').waitFor();
      expect(await page.locator('#error-summary').textContent()).toContain('the API key is not valid');
      expect(await page.evaluate(() => sessionStorage.getItem('glyco-api-key'))).toBeNull();
      await page.getByRole('button', { name: 'Estimate risk' }).click();
      await page.locator('#error-summary:not([hidden])').waitFor();
      expect(asked).toBe(2);
    });
  },
);
