import { expect, test } from '@playwright/test';
import { fillRewriteForm, SCRIPTED_MODEL_LABEL } from './support/app-page.ts';
import { FAULT_ANNOTATION } from './support/fault-table-reporter.ts';

test('after a first visit the app and a cached model work offline', async ({ page, context }) => {
  test.info().annotations.push({ type: FAULT_ANNOTATION, description: 'offline reload | an offline notice; the app shell and cached models still work | prompt, image, history, cached models' });
  await page.goto('/');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await fillRewriteForm(page, { prompt: 'First, online.', source: { kind: 'site-folder' }, rewriter: SCRIPTED_MODEL_LABEL });
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toContainText('Rewritten');

  await context.setOffline(true);
  await expect(page.getByTestId('offline-notice')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'VLMGuard Web' })).toBeVisible();
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('offline-notice')).toBeVisible();

  await fillRewriteForm(page, { prompt: 'Then, offline.', source: { kind: 'site-folder' }, rewriter: SCRIPTED_MODEL_LABEL });
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toContainText('Rewritten');
  await expect(page.getByTestId('analysis-crossModal')).toHaveText('Together they suggest a risk of self-harm.');
});
