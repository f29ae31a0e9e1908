import { expect, test } from '@playwright/test';
import { fillRewriteForm, openView } from './support/app-page.ts';

test('reasoning off: the model writes only the verdict, and the result says so without empty analysis boxes', async ({ page }) => {
  await page.goto('/');
  // The random tiny model: under the constraint it always completes the format, deterministically.
  await fillRewriteForm(page, { prompt: 'What is written on the sign?', source: { kind: 'site-folder' } });
  await openView(page, 'Settings');
  const limit = page.getByLabel('Output limit (tokens)');
  await expect(limit).toHaveValue('384');
  await page.getByRole('radio', { name: /^Off — / }).check();
  // Choosing the mode set its own output limit; the constraint stays on.
  await expect(limit).toHaveValue('240');
  await expect(page.getByLabel('Constrain the output to the format')).toBeChecked();
  await openView(page, 'Rewrite');

  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('reasoning-mode')).toHaveText('Reasoning: off — the model gave only a level, a category and the refined prompt.');
  await expect(page.getByTestId('risk-level')).toHaveText(/^Risk: (none|low|medium|high)$/);
  await expect(page.getByTestId('risk-meter')).toBeVisible();
  for (const section of ['textual', 'visual', 'crossModal', 'summary']) await expect(page.getByTestId(`analysis-${section}`)).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Risk analysis' }).locator('dl')).toHaveCount(0);
  await expect(page.getByTestId('model-output')).toHaveText(/^\[RISK LEVEL\] (none|low|medium|high)\n\[CATEGORY\] [a-z-]+\n\[REFINED PROMPT\][^\n]+\n\[END\]$/);
  await expect(page.getByTestId('model-input')).not.toContainText('[TEXT RISK]');

  // Remembered on this device: after a reload the mode, and its limit, are still there.
  await page.reload();
  await openView(page, 'Settings');
  await expect(page.getByRole('radio', { name: /^Off — / })).toBeChecked();
  await expect(page.getByLabel('Output limit (tokens)')).toHaveValue('240');
});
