import { expect, test, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { startHubMirror } from '../scripts/hub-mirror-server.ts';
import { fillRewriteForm, openAdvancedSettings, SCRIPTED_MODEL_LABEL, selectHubOnly } from './support/app-page.ts';

/** Full-page pictures of the main states, for people to look at; see test-results/screenshots/. */
const OUT_DIR = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url));
const MODELS_DIR = fileURLToPath(new URL('../models/', import.meta.url));

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${OUT_DIR}${name}.png`, fullPage: true });
}

test.use({ viewport: { width: 1280, height: 900 } });

test('screenshots of the main states', async ({ page }) => {
  const mirror = await startHubMirror({ root: MODELS_DIR });
  try {
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Models' })).toBeVisible();
    await shoot(page, '01-empty');

    await selectHubOnly(page, mirror.url);
    mirror.bytesPerSecond = 10_000;
    await page.getByRole('listitem', { name: /Tiny test model/ }).getByRole('button', { name: 'Download' }).click();
    await expect(page.getByTestId('download-bytes')).toHaveText(/[1-9][\d.]* KB of/);
    await shoot(page, '02-downloading');
    await page.getByRole('button', { name: 'Cancel download' }).click();
    mirror.bytesPerSecond = undefined;

    await page.reload();
    await fillRewriteForm(page, { prompt: 'What is happening in this picture?', source: { kind: 'site-folder' }, maxNewTokens: 2048 });
    await page.getByRole('button', { name: 'Rewrite' }).click();
    await expect(page.getByTestId('generation-status')).toHaveText(/Generating… [1-9]/);
    await shoot(page, '03-streaming');
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect(page.getByTestId('rewrite-outcome')).toBeVisible();

    await fillRewriteForm(page, { prompt: 'How far is it to jump from the bridge?', source: { kind: 'site-folder' }, rewriter: SCRIPTED_MODEL_LABEL });
    await page.getByRole('button', { name: 'Rewrite' }).click();
    await expect(page.getByTestId('rewrite-outcome')).toContainText('Rewritten');
    await shoot(page, '04-result');

    const latest = page.getByRole('region', { name: 'History' }).getByRole('listitem').first();
    await latest.locator('summary').click();
    await latest.scrollIntoViewIfNeeded();
    await shoot(page, '05-history');

    await page.getByLabel('Model', { exact: true }).selectOption({ label: 'Custom model (Hub id or models/ folder)…' });
    await page.getByLabel('Model id').fill('test/does-not-exist');
    await openAdvancedSettings(page);
    await page.getByLabel('Download from a model hub').uncheck();
    await page.getByRole('button', { name: 'Rewrite' }).click();
    await expect(page.getByRole('alert')).toContainText('"test/does-not-exist" was not found');
    await shoot(page, '06-error');
  } finally {
    await mirror.close();
  }
});
