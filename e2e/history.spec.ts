import { expect, test, type Page } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import { readFile } from 'node:fs/promises';
import { DEMO_CASES } from '../src/core/demo-cases.ts';
import { drawPng, fillRewriteForm, openAdvancedSettings, openView, SCRIPTED_MODEL_LABEL } from './support/app-page.ts';
import { FAULT_ANNOTATION } from './support/fault-table-reporter.ts';

const DEMO_TITLES = DEMO_CASES.map((demo) => demo.title);

async function rewriteAndWait(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toBeVisible();
}

const historyItems = (page: Page) => page.getByRole('region', { name: 'History' }).getByRole('listitem');

test('each demo case fills the form and runs end to end, and lands in history', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Model', { exact: true }).selectOption({ label: 'Tiny test model (random weights) (~1 MB)' });
  await openAdvancedSettings(page);
  await page.getByLabel('Output limit (tokens)').fill('16');
  for (const [index, title] of DEMO_TITLES.entries()) {
    await openView(page, 'Rewrite');
    await page.getByRole('group', { name: 'Demo cases' }).getByRole('button', { name: title }).click();
    await expect(page.getByTestId('image-caption')).toBeVisible();
    await expect(page.getByLabel('Prompt', { exact: true })).not.toHaveValue('');
    await rewriteAndWait(page);
    await openView(page, 'History');
    await expect(historyItems(page)).toHaveCount(index + 1);
  }
  await expect(historyItems(page).first().getByRole('img')).toHaveAttribute('src', /^data:image\/jpeg;base64,/);
});

test('a reload in the middle of typing keeps the prompt, the image and the history', async ({ page }) => {
  await page.goto('/');
  await fillRewriteForm(page, { prompt: 'How far is it to jump from the bridge?', source: { kind: 'site-folder' }, rewriter: SCRIPTED_MODEL_LABEL });
  await rewriteAndWait(page);
  await openView(page, 'History');
  await expect(historyItems(page)).toHaveCount(1);

  await openView(page, 'Rewrite');
  await page.getByLabel('Prompt', { exact: true }).fill('A question I am still typ');
  await page.reload();
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('A question I am still typ');
  await expect(page.getByTestId('image-caption')).toHaveText(/scene\.png · 64×64/);
  await expect(page.getByLabel('Model', { exact: true })).toHaveValue('test/tiny-smolvlm-scripted');
  await openView(page, 'History');
  await expect(historyItems(page)).toHaveCount(1);
  await expect(historyItems(page).first()).toContainText('How far is it to jump from the bridge?');
});

test('history exports as JSON and as a Markdown report, and entries can be deleted', async ({ page }) => {
  await page.goto('/');
  await fillRewriteForm(page, { prompt: 'How far is it to jump | from the bridge?', source: { kind: 'site-folder' }, rewriter: SCRIPTED_MODEL_LABEL });
  await rewriteAndWait(page);
  await page.getByLabel('Refined prompt (editable)').fill('My edited refined prompt.');
  await page.getByLabel('Prompt', { exact: true }).focus();

  await openView(page, 'History');
  const json = (await download(page, 'JSON')).toString('utf8');
  const exported = JSON.parse(json);
  expect(exported.format).toBe('vlmguard-history');
  expect(exported.records).toHaveLength(1);
  expect(exported.records[0]).toMatchObject({
    prompt: 'How far is it to jump | from the bridge?',
    editedPrompt: 'My edited refined prompt.',
    rewrite: { outcome: 'rewritten', analysis: { level: 'high', category: 'self-harm' } },
    model: { id: 'test/tiny-smolvlm-scripted' },
    backend: { kind: 'wasm' },
  });

  const markdown = strFromU8(unzipSync(new Uint8Array(await download(page, 'Markdown + images (zip)')))['report.md']!);
  expect(markdown).toContain('How far is it to jump | from the bridge?');
  expect(markdown).toContain('Together they suggest a risk of self-harm.');
  expect(markdown).toContain('My edited refined prompt.');

  const item = historyItems(page).first();
  await item.locator('summary').click();
  await item.getByRole('button', { name: 'Delete' }).click();
  await expect(historyItems(page)).toHaveCount(0);
  await page.reload();
  await expect(page.getByText('Nothing yet: finished rewrites appear here.')).toBeVisible();
});

/** Downloads what an "Export all" button of the History view saves. */
async function download(page: Page, button: string): Promise<Buffer> {
  const exportAll = page.getByRole('region', { name: 'History' }).getByRole('group', { name: 'Export all' });
  const [file] = await Promise.all([page.waitForEvent('download'), exportAll.getByRole('button', { name: button }).click()]);
  return readFile((await file.path())!);
}

const SCRIPTED_REFINED_PROMPT =
  'Describe the bridge and the view, and share where someone who feels unsafe can find support right now.';

test('an entry deleted while its result is on screen stays deleted after an edit, and Undo brings it back', async ({ page }) => {
  await page.goto('/');
  await fillRewriteForm(page, { prompt: 'How far is it to jump from the bridge?', source: { kind: 'site-folder' }, rewriter: SCRIPTED_MODEL_LABEL });
  await rewriteAndWait(page);
  await openView(page, 'History');
  await expect(historyItems(page)).toHaveCount(1);

  const item = historyItems(page).first();
  await item.locator('summary').click();
  await item.getByRole('button', { name: 'Delete' }).click();
  await expect(historyItems(page)).toHaveCount(0);
  const undo = page.getByRole('region', { name: 'History' }).getByRole('status').filter({ hasText: 'Deleted' });
  await expect(undo.getByRole('button', { name: 'Undo' })).toBeVisible();

  // Editing the result that is still on screen must not bring the deleted entry back.
  await openView(page, 'Rewrite');
  await page.getByLabel('Refined prompt (editable)').fill('An edit after the delete.');
  await page.getByLabel('Prompt', { exact: true }).focus();
  await expect(page.getByLabel('Refined prompt (editable)')).toHaveValue('An edit after the delete.');
  await openView(page, 'History');
  await expect(historyItems(page)).toHaveCount(0);

  await undo.getByRole('button', { name: 'Undo' }).click();
  await expect(historyItems(page)).toHaveCount(1);
  await expect(undo).toHaveCount(0);
  await page.reload();
  await expect(historyItems(page)).toHaveCount(1);
  await expect(historyItems(page).first().locator('.history-refined')).toHaveText('An edit after the delete.');
});

test('a deleted entry is gone after a reload, even after its result was edited again', async ({ page }) => {
  await page.goto('/');
  await fillRewriteForm(page, { prompt: 'How far is it to jump from the bridge?', source: { kind: 'site-folder' }, rewriter: SCRIPTED_MODEL_LABEL });
  await rewriteAndWait(page);
  await openView(page, 'History');
  const item = historyItems(page).first();
  await item.locator('summary').click();
  await item.getByRole('button', { name: 'Delete' }).click();
  await expect(historyItems(page)).toHaveCount(0);
  await openView(page, 'Rewrite');
  await page.getByLabel('Refined prompt (editable)').fill('Another edit.');
  await page.getByLabel('Prompt', { exact: true }).fill('What is the weather like on the bridge?');
  // The next rewrite's entry is saved after anything the edit saved, so the list then shows both, or only it.
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await openView(page, 'History');
  await expect(historyItems(page).first()).toContainText('What is the weather like on the bridge?');
  await expect(historyItems(page)).toHaveCount(1);
  await page.reload();
  await expect(historyItems(page)).toHaveCount(1);
  await expect(historyItems(page).first()).toContainText('What is the weather like on the bridge?');
});

test('"Use this prompt again" brings back the prompt and the image, and a past result reopens in the main view', async ({ page }) => {
  await page.goto('/');
  const prompt = 'How far is it to jump from the bridge?';
  await fillRewriteForm(page, { prompt, source: { kind: 'site-folder' }, rewriter: SCRIPTED_MODEL_LABEL });
  await rewriteAndWait(page);

  // Other work replaces the inputs, and a reload clears the main view.
  await page.getByLabel('Prompt', { exact: true }).fill('Something else entirely');
  await page.getByLabel('Image', { exact: true }).setInputFiles({ name: 'other.png', mimeType: 'image/png', buffer: await drawPng(page, 40, 30) });
  await expect(page.getByTestId('image-caption')).toHaveText(/other\.png · 40×30/);
  await page.reload();
  await expect(page.getByTestId('rewrite-outcome')).toHaveCount(0);

  await openView(page, 'History');
  const item = historyItems(page).first();
  await item.locator('summary').click();
  await item.getByRole('button', { name: 'Use this prompt again' }).click();
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue(prompt);
  await expect(page.getByTestId('image-caption')).toHaveText(/scene\.png · 64×64/);

  await openView(page, 'History');
  await item.getByRole('button', { name: 'Show this result' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toContainText('Rewritten');
  await expect(page.getByTestId('analysis-crossModal')).toHaveText('Together they suggest a risk of self-harm.');
  await expect(page.getByTestId('risk-level')).toHaveText('Risk: high');
  await expect(page.getByLabel('Refined prompt (editable)')).toHaveValue(SCRIPTED_REFINED_PROMPT);
  // The reused image and prompt run again as a new entry.
  await rewriteAndWait(page);
  await openView(page, 'History');
  await expect(historyItems(page)).toHaveCount(2);
});

test('a draft that cannot be saved says so, keeps the text, and is saved by Retry', async ({ page }) => {
  test.info().annotations.push({ type: FAULT_ANNOTATION, description: 'storage full during a draft write | "… could not be saved: storage is full" + Retry | the text on screen; saved by Retry, there after a reload' });
  await page.addInitScript(() => {
    const flags = window as unknown as { __failDraftWrites: boolean };
    flags.__failDraftWrites = true;
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key: string, value: string) {
      if (flags.__failDraftWrites && key === 'vlmguard:draft') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      setItem.call(this, key, value);
    };
  });
  await page.goto('/');
  await page.getByLabel('Prompt', { exact: true }).fill('Text that must not be lost');
  const alert = page.getByRole('alert').filter({ hasText: 'could not be saved' });
  await expect(alert).toContainText('storage is full');
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('Text that must not be lost');

  await page.evaluate(() => {
    (window as unknown as { __failDraftWrites: boolean }).__failDraftWrites = false;
  });
  await page.getByRole('button', { name: 'Retry saving the draft' }).click();
  await expect(alert).toHaveCount(0);
  await page.reload();
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('Text that must not be lost');
});

test('a rewrite that history cannot save says so, stays listed, and is saved by Retry', async ({ page }) => {
  test.info().annotations.push({ type: FAULT_ANNOTATION, description: 'storage full during a history write | "Storage is full …" + Retry saving | the entry, listed from memory; saved by Retry, there after a reload' });
  await page.addInitScript(() => {
    const flags = window as unknown as { __failHistoryWrites: boolean };
    flags.__failHistoryWrites = true;
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (flags.__failHistoryWrites && this.name === 'records') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    };
  });
  await page.goto('/');
  await fillRewriteForm(page, { prompt: 'How far is it to jump from the bridge?', source: { kind: 'site-folder' }, rewriter: SCRIPTED_MODEL_LABEL });
  await rewriteAndWait(page);
  const history = page.getByRole('region', { name: 'History' });
  await expect(page.getByTestId('unsaved-history-notice')).toContainText('not saved on this device yet');
  await openView(page, 'History');
  await expect(history.getByRole('alert')).toContainText('Storage is full');
  await expect(historyItems(page)).toHaveCount(1);

  await page.evaluate(() => {
    (window as unknown as { __failHistoryWrites: boolean }).__failHistoryWrites = false;
  });
  await history.getByRole('button', { name: 'Retry saving' }).click();
  await expect(history.getByRole('alert')).toHaveCount(0);
  await expect(page.getByTestId('unsaved-history-notice')).toHaveCount(0);
  await page.reload();
  await expect(historyItems(page)).toHaveCount(1);
});
