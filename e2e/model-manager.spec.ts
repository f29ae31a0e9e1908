import { expect, test } from '@playwright/test';
import { cachedModelUrls, openView, selectHubOnly } from './support/app-page.ts';
import { hubMirrorForThisFile } from './support/hub-mirror.ts';

const TINY_MODEL_ID = 'test/tiny-smolvlm';

const mirror = hubMirrorForThisFile();

const tinyCard = (page: import('@playwright/test').Page) => page.getByRole('listitem', { name: /Tiny test model/ });

test('cancelling a download keeps nothing, and a later download succeeds', async ({ page }) => {
  await page.goto('/');
  await selectHubOnly(page, mirror().url);
  await openView(page, 'Models');
  mirror().bytesPerSecond = 10_000;
  await tinyCard(page).getByRole('button', { name: 'Download' }).click();

  const bytes = page.getByTestId('download-bytes');
  await expect(bytes).toHaveText(/[1-9][\d.]* KB of [\d.]+ KB/);
  await page.getByRole('button', { name: 'Cancel download' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Download cancelled' })).toBeVisible();
  await expect(page.getByTestId('load-progress')).toHaveCount(0);
  expect(await cachedModelUrls(page, TINY_MODEL_ID)).toEqual([]);
  await expect(tinyCard(page).getByTestId('cache-status')).toHaveText(/Not downloaded/);

  mirror().bytesPerSecond = undefined;
  await tinyCard(page).getByRole('button', { name: 'Download' }).click();
  await expect(tinyCard(page).getByTestId('cache-status')).toHaveText(/Cached on this device/);
  await expect(page.getByTestId('backend-label')).toHaveText('WASM');
});

test('deleting a cached model frees its files', async ({ page }) => {
  await page.goto('/');
  await selectHubOnly(page, mirror().url);
  await openView(page, 'Models');
  await tinyCard(page).getByRole('button', { name: 'Download' }).click();
  await expect(tinyCard(page).getByTestId('cache-status')).toHaveText(/Cached on this device/);
  expect((await cachedModelUrls(page, TINY_MODEL_ID)).length).toBeGreaterThan(3);

  await tinyCard(page).getByRole('button', { name: 'Delete' }).click();
  await expect(tinyCard(page).getByTestId('cache-status')).toHaveText(/Not downloaded/);
  expect(await cachedModelUrls(page, TINY_MODEL_ID)).toEqual([]);
});

test('deleting the loaded model unloads it, and Download brings it back', async ({ page }) => {
  await page.goto('/');
  await selectHubOnly(page, mirror().url);
  await openView(page, 'Models');
  await tinyCard(page).getByRole('button', { name: 'Download' }).click();
  await expect(tinyCard(page).getByTestId('cache-status')).toHaveText(/Cached on this device/);
  await expect(tinyCard(page).getByText('Loaded', { exact: true })).toBeVisible();

  await tinyCard(page).getByRole('button', { name: 'Delete' }).click();
  await expect(tinyCard(page).getByTestId('cache-status')).toHaveText(/Not downloaded/);
  await expect(tinyCard(page).getByText('Loaded', { exact: true })).toHaveCount(0);

  const requestsBefore = mirror().requests.length;
  await tinyCard(page).getByRole('button', { name: 'Download' }).click();
  await expect(tinyCard(page).getByTestId('cache-status')).toHaveText(/Cached on this device/);
  await expect(tinyCard(page).getByText('Loaded', { exact: true })).toBeVisible();
  expect(mirror().requests.length).toBeGreaterThan(requestsBefore);
});

test('"Keep models" says so when the browser refuses to keep them', async ({ page }) => {
  // Chromium decides by how the site is used; a fresh test profile is refused, or granted at random. Make it refuse.
  await page.addInitScript(() => {
    navigator.storage.persist = async () => false;
    navigator.storage.persisted = async () => false;
  });
  await page.goto('/');
  await openView(page, 'Models');
  await expect(page.getByTestId('persist-answer')).toHaveText('');
  await page.getByRole('button', { name: 'Keep models' }).click();
  await expect(page.getByTestId('persist-answer')).toContainText('The browser kept the right to clear the models when space runs low');
  // Still offered: asking again later may work.
  await expect(page.getByRole('button', { name: 'Keep models' })).toBeVisible();
});
