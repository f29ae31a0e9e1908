import { expect, test, type Page } from '@playwright/test';
import { cachedModelUrls, fillRewriteForm } from './support/app-page.ts';
import { FAULT_ANNOTATION } from './support/fault-table-reporter.ts';
import { hubMirrorForThisFile } from './support/hub-mirror.ts';

/*
 * Fault injection, model side: each fault ends in a clear message, the user's prompt and image intact, and a next
 * attempt that works. (GPU loss: rewrite.spec.ts; a worker that cannot start and Stop without isolation:
 * worker-lifecycle.spec.ts; offline reload: offline.spec.ts.)
 */

const TINY_MODEL_ID = 'test/tiny-smolvlm';
const PROMPT = 'Keep me through the fault.';

// The app's service worker would answer some requests past page.route.
test.use({ serviceWorkers: 'block' });

const mirror = hubMirrorForThisFile();

function fault(description: string): void {
  test.info().annotations.push({ type: FAULT_ANNOTATION, description });
}

async function expectInputsKept(page: Page): Promise<void> {
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue(PROMPT);
  await expect(page.getByTestId('image-caption')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Rewrite' })).toBeEnabled();
}

test('the network drops in the middle of a model download', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'wasm', 'download faults do not depend on the backend');
  fault('network drop mid-download | "Could not reach … to download …; check the connection" | prompt, image, history; no partial model cached');
  const decoder = '**/test/tiny-smolvlm/resolve/main/onnx/decoder_model_merged*';
  await page.route(decoder, (route) => route.abort('internetdisconnected'));
  await page.goto('/');
  await fillRewriteForm(page, { prompt: PROMPT, source: { kind: 'hub', url: mirror().url } });
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByRole('alert')).toContainText('Could not reach', { timeout: 60_000 });
  await expectInputsKept(page);

  await page.unroute(decoder);
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toBeVisible({ timeout: 60_000 });
  expect((await cachedModelUrls(page, TINY_MODEL_ID)).length).toBeGreaterThan(3);
});

test('storage is full while a model downloads', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'wasm', 'download faults do not depend on the backend');
  fault('storage full during a download | "The browser\'s storage is full, so this model could not be kept … downloads again next time" | the rewrite itself, prompt, image, history');
  const started = page.waitForEvent('worker');
  await page.goto('/');
  const worker = await started;
  await worker.evaluate(() => {
    Cache.prototype.put = () => Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
  });
  await fillRewriteForm(page, { prompt: PROMPT, source: { kind: 'hub', url: mirror().url } });
  await page.getByRole('button', { name: 'Rewrite' }).click();
  // transformers.js goes on without caching: the rewrite works, and the user learns the model was not kept.
  await expect(page.getByTestId('rewrite-outcome')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('uncached-notice')).toContainText('storage is full');
  await expectInputsKept(page);
  expect(await cachedModelUrls(page, TINY_MODEL_ID)).toEqual([]);
});
