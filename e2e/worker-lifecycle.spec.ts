import { expect, test, type Page } from '@playwright/test';
import {
  cachedModelUrls,
  fillRewriteForm,
  openAdvancedSettings,
  openView,
  selectHubOnly,
  setDecisionSettings,
  stopAfterTokens,
} from './support/app-page.ts';
import { FAULT_ANNOTATION } from './support/fault-table-reporter.ts';
import { hubMirrorForThisFile } from './support/hub-mirror.ts';

const TINY_MODEL_ID = 'test/tiny-smolvlm';
const WORKER_SCRIPT = /\/assets\/rewriter\.worker-[^/]*\.js$/;

// The app's service worker would serve the worker script from its cache, past page.route.
test.use({ serviceWorkers: 'block' });

const mirror = hubMirrorForThisFile();

const onlyOn = (project: 'wasm' | 'webgpu') => (testInfo: { project: { name: string } }) =>
  test.skip(testInfo.project.name !== project, `runs in the ${project} project`);

const tinyCard = (page: Page) => page.getByRole('listitem', { name: /Tiny test model/ });

test('a worker whose script is missing gives a clear message, keeps the inputs, and the next try works', async ({ page }, testInfo) => {
  test.info().annotations.push({ type: FAULT_ANNOTATION, description: 'worker script missing (after a deploy) | "The rewriter\'s background worker stopped … try again" | prompt, image, history; the next try starts a fresh worker' });
  onlyOn('wasm')(testInfo);
  // As after a deploy that replaced the worker chunk under an open page.
  await page.route(WORKER_SCRIPT, (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.goto('/');
  await fillRewriteForm(page, { prompt: 'Keep me when the worker fails.', source: { kind: 'site-folder' } });
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByRole('alert')).toContainText("The rewriter's background worker stopped", { timeout: 30_000 });
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('Keep me when the worker fails.');
  await expect(page.getByTestId('image-caption')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Rewrite' })).toBeEnabled();

  await page.unroute(WORKER_SCRIPT);
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toBeVisible({ timeout: 60_000 });
});

test('without cross-origin isolation, Stop still stops a WASM rewrite, says how, and the next rewrite works', async ({ page }, testInfo) => {
  onlyOn('wasm')(testInfo);
  // Strip the isolation headers, as a static host that ignores dist/_headers would.
  await page.route('**/*', async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers['cross-origin-opener-policy'];
    delete headers['cross-origin-embedder-policy'];
    await route.fulfill({ response, headers });
  });
  await page.goto('/');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  await fillRewriteForm(page, { prompt: 'Stop me without a shared flag.', source: { kind: 'site-folder' } });
  await setDecisionSettings(page, { constrained: false });
  await stopAfterTokens(page, 5);
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('generation-status')).toHaveText(/^Stopped by you: \d+ tokens/, { timeout: 60_000 });
  const tokens = Number(/(\d+) tokens/.exec((await page.getByTestId('generation-status').textContent()) ?? '')?.[1]);
  expect(tokens).toBeLessThan(100);
  await expect(page.getByTestId('worker-ended-notice')).toBeVisible();
  await expect(page.getByTestId('rewrite-outcome')).toContainText('Fallback: static defence');

  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('generation-status')).toHaveText(/^(Finished|Reached the token limit)/, { timeout: 60_000 });
});

test('cancelling a download from this site\'s models/ folder does not go on to the hub', async ({ page }, testInfo) => {
  onlyOn('wasm')(testInfo);
  // Slow the site's own model files, so there is a download in progress to cancel.
  await page.route('**/models/test/tiny-smolvlm/onnx/**', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await route.continue().catch(() => undefined);
  });
  await page.goto('/');
  await openAdvancedSettings(page);
  await page.getByLabel('Hub URL').fill(mirror().url);
  await openView(page, 'Models');
  await tinyCard(page).getByRole('button', { name: 'Download' }).click();
  await expect(page.getByTestId('load-progress')).toBeVisible();
  const requestsBefore = mirror().requests.length;
  await page.getByRole('button', { name: 'Cancel download' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Download cancelled' })).toBeVisible();
  await page.waitForTimeout(3_000);
  expect(mirror().requests.slice(requestsBefore).map((request) => request.path)).toEqual([]);
  expect(await cachedModelUrls(page, TINY_MODEL_ID)).toEqual([]);
});

test('Cancel on WebGPU cancels: no retry on WASM, no request after it, nothing cached', async ({ page }, testInfo) => {
  onlyOn('webgpu')(testInfo);
  await page.goto('/');
  await selectHubOnly(page, mirror().url);
  await openView(page, 'Models');
  mirror().bytesPerSecond = 10_000;
  await tinyCard(page).getByRole('button', { name: 'Download' }).click();
  await expect(page.getByTestId('download-bytes')).toHaveText(/[1-9][\d.]* KB of [\d.]+ KB/);
  await page.getByRole('button', { name: 'Cancel download' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Download cancelled' })).toBeVisible();
  const requestsAtCancel = mirror().requests.length;
  await page.waitForTimeout(2_000);
  expect(mirror().requests.length).toBe(requestsAtCancel);
  await expect(page.getByTestId('load-progress')).toHaveCount(0);
  expect(await cachedModelUrls(page, TINY_MODEL_ID)).toEqual([]);
});

test('a real WebGPU failure while loading falls back to WASM and says why', async ({ page }, testInfo) => {
  onlyOn('webgpu')(testInfo);
  const worker = page.waitForEvent('worker');
  await page.goto('/');
  // The adapter is there (the probe found it), but creating the device fails, as on a blocklisted driver.
  await (await worker).evaluate(() => {
    GPUAdapter.prototype.requestDevice = () => Promise.reject(new Error('forced: the GPU device could not be created'));
  });
  await fillRewriteForm(page, { prompt: 'Fall back, please.', source: { kind: 'site-folder' }, maxNewTokens: 16 });
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toBeVisible({ timeout: 150_000 });
  await expect(page.getByTestId('backend-label')).toHaveText('WASM');
  // onnxruntime-web reports the failed start as an internal error code, not with the browser's message.
  await openView(page, 'Models');
  await expect(page.getByText(/WebGPU failed, so WASM took over. Details: .+/)).toBeVisible();
});
