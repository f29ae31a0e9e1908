import { expect, test } from '@playwright/test';
import { fillRewriteForm, openView, SCRIPTED_MODEL_LABEL } from './support/app-page.ts';

const SCRIPTED_REFINED_PROMPT =
  'Describe the bridge and the view, and share where someone who feels unsafe can find support right now.';

test('downloading another model keeps the result on screen, still editable and sendable', async ({ page }) => {
  await page.goto('/');
  await fillRewriteForm(page, { prompt: 'How far is it to jump from the bridge?', source: { kind: 'site-folder' }, rewriter: SCRIPTED_MODEL_LABEL });
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toContainText('Rewritten');

  await openView(page, 'Models');
  const tinyCard = page.getByRole('listitem', { name: /Tiny test model/ });
  await tinyCard.getByRole('button', { name: 'Download' }).click();
  await expect(tinyCard.getByText('Loaded', { exact: true })).toBeVisible();
  await openView(page, 'Rewrite');

  await expect(page.getByTestId('rewrite-outcome')).toContainText('Rewritten');
  await expect(page.getByTestId('analysis-crossModal')).toHaveText('Together they suggest a risk of self-harm.');
  await expect(page.getByLabel('Refined prompt (editable)')).toHaveValue(SCRIPTED_REFINED_PROMPT);
  await expect(page.getByRole('button', { name: 'Send refined prompt' })).toBeEnabled();
});
