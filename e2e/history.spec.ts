import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { DEMO_CASES } from '../src/core/demo-cases.ts';
import { fillRewriteForm, openAdvancedSettings, SCRIPTED_MODEL_LABEL } from './support/app-page.ts';

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
    await page.getByRole('group', { name: 'Demo cases' }).getByRole('button', { name: title }).click();
    await expect(page.getByTestId('image-caption')).toBeVisible();
    await expect(page.getByLabel('Prompt', { exact: true })).not.toHaveValue('');
    await rewriteAndWait(page);
    await expect(historyItems(page)).toHaveCount(index + 1);
  }
  await expect(historyItems(page).first().getByRole('img')).toHaveAttribute('src', /^data:image\/jpeg;base64,/);
});

test('a reload in the middle of typing keeps the prompt, the image and the history', async ({ page }) => {
  await page.goto('/');
  await fillRewriteForm(page, { prompt: 'How far is it to jump from the bridge?', source: { kind: 'site-folder' }, rewriter: SCRIPTED_MODEL_LABEL });
  await rewriteAndWait(page);
  await expect(historyItems(page)).toHaveCount(1);

  await page.getByLabel('Prompt', { exact: true }).fill('A question I am still typ');
  await page.reload();
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('A question I am still typ');
  await expect(page.getByTestId('image-caption')).toHaveText(/scene\.png · 64×64/);
  await expect(page.getByLabel('Model', { exact: true })).toHaveValue('test/tiny-smolvlm-scripted');
  await expect(historyItems(page)).toHaveCount(1);
  await expect(historyItems(page).first()).toContainText('How far is it to jump from the bridge?');
});

test('history exports as JSON and as a Markdown report, and entries can be deleted', async ({ page }) => {
  await page.goto('/');
  await fillRewriteForm(page, { prompt: 'How far is it to jump | from the bridge?', source: { kind: 'site-folder' }, rewriter: SCRIPTED_MODEL_LABEL });
  await rewriteAndWait(page);
  await page.getByLabel('Refined prompt (editable)').fill('My edited refined prompt.');
  await page.getByLabel('Prompt', { exact: true }).focus();

  const json = await download(page, 'Export all (JSON)');
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

  const markdown = await download(page, 'Export all (Markdown report)');
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

async function download(page: Page, button: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  return readFile((await file.path())!, 'utf8');
}
