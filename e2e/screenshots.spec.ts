import { expect, test, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { startHubMirror } from '../scripts/hub-mirror-server.ts';
import { startOpenAiTestServer } from '../scripts/openai-test-server.ts';
import {
  chooseRewriter,
  fillRewriteForm,
  openAdvancedSettings,
  openView,
  pickDemoCase,
  SCRIPTED_MODEL_LABEL,
  selectHubOnly,
  setDecisionSettings,
  setReadImageText,
  STATIC_DEFENCE_LABEL,
} from './support/app-page.ts';

/**
 * Pictures of the main states, for people to look at; see test-results/screenshots/. Each state is taken at
 * 1280×800 (the first screen only: what a laptop shows without scrolling) and at 390×844 (the whole page), in the
 * light and the dark theme: NN-state-1280-light.png, NN-state-390-dark.png, …
 */
const OUT_DIR = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url));
const MODELS_DIR = fileURLToPath(new URL('../models/', import.meta.url));

const SIZES = [
  { name: '1280', viewport: { width: 1280, height: 800 }, fullPage: false },
  { name: '390', viewport: { width: 390, height: 844 }, fullPage: true },
] as const;
const LAPTOP = SIZES[0].viewport;

/** Shoots the page in every size and theme, from the top; `focus`, when given, brings its part into the laptop-sized view instead. */
async function shoot(page: Page, name: string, focus?: () => Promise<void>): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size.viewport);
    if (focus && !size.fullPage) await focus();
    else await page.evaluate(() => window.scrollTo(0, 0));
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.screenshot({ path: `${OUT_DIR}${name}-${size.name}-${colorScheme}.png`, fullPage: size.fullPage });
    }
  }
  await page.setViewportSize(LAPTOP);
  await page.emulateMedia({ colorScheme: 'light' });
}

/**
 * Shoots a rewrite that is still streaming, then stops it. Under the constraint the tiny model is done in a few seconds,
 * sooner than a slow machine takes the four pictures, so this run is unconstrained (noise up to the output limit); a run
 * that still ends while the pictures are taken (the model chose to stop) is shot again.
 */
async function shootWhileStreaming(page: Page, name: string): Promise<void> {
  await setDecisionSettings(page, { constrained: false });
  const status = page.getByTestId('generation-status');
  for (let attempt = 1; ; attempt++) {
    await page.getByRole('button', { name: 'Rewrite' }).click();
    await expect(status).toHaveText(/Generating… [1-9]/);
    await shoot(page, name);
    if (/Generating…/.test((await status.textContent()) ?? '')) break;
    expect(attempt, 'a run outlasts the pictures within three tries').toBeLessThan(3);
    await expect(page.getByTestId('rewrite-outcome')).toBeVisible();
  }
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.getByTestId('rewrite-outcome')).toBeVisible();
  await setDecisionSettings(page, { constrained: true });
}

test.use({ viewport: LAPTOP });

test('screenshots of the main states', async ({ page }) => {
  test.setTimeout(300_000);
  const mirror = await startHubMirror({ root: MODELS_DIR });
  const vlm = await startOpenAiTestServer();
  try {
    await page.goto('/');
    await expect(page.getByText(/Recommended here:/)).toBeVisible();
    await shoot(page, '01-empty');

    await selectHubOnly(page, mirror.url);
    await openView(page, 'Models');
    mirror.bytesPerSecond = 10_000;
    await page.getByRole('listitem', { name: /Tiny test model/ }).getByRole('button', { name: 'Download' }).click();
    await expect(page.getByTestId('download-bytes')).toHaveText(/[1-9][\d.]* KB of/);
    await shoot(page, '02-downloading');
    await page.getByRole('button', { name: 'Cancel download' }).click();
    mirror.bytesPerSecond = undefined;

    await page.goto('/');
    await fillRewriteForm(page, { prompt: 'What is happening in this picture?', source: { kind: 'site-folder' }, maxNewTokens: 2048 });
    await shootWhileStreaming(page, '03-streaming');

    await fillRewriteForm(page, { prompt: 'How far is it to jump from the bridge?', source: { kind: 'site-folder' }, rewriter: SCRIPTED_MODEL_LABEL });
    await page.getByRole('button', { name: 'Rewrite' }).click();
    await expect(page.getByTestId('rewrite-outcome')).toContainText('Rewritten');
    await shoot(page, '04-result');

    const remote = page.getByRole('region', { name: 'Send to a remote VLM' });
    await remote.getByLabel('Endpoint').selectOption({ label: 'Custom (OpenAI-compatible)' });
    await remote.getByLabel('Base URL').fill(vlm.url);
    await remote.getByLabel('Remote model').fill('test-vlm');
    await remote.getByRole('button', { name: 'Compare original and refined' }).click();
    await page.getByRole('region', { name: 'What will be sent' }).getByRole('button', { name: 'Send it' }).click();
    await expect(page.getByTestId('remote-status-original')).toHaveText(/Done in/);
    await expect(page.getByTestId('remote-status-refined')).toHaveText(/Done in/);
    await shoot(page, '05-compare', () => remote.getByRole('button', { name: 'Compare original and refined' }).scrollIntoViewIfNeeded());

    await page.getByRole('button', { name: 'Presenter mode' }).click();
    await shoot(page, '06-presenter');
    await page.getByRole('button', { name: 'Presenter mode' }).click();

    await openView(page, 'History');
    await page.getByRole('region', { name: 'History' }).getByRole('listitem').first().locator('summary').click();
    await shoot(page, '07-history');

    await openView(page, 'Models');
    await shoot(page, '08-models');

    await openView(page, 'Settings');
    await shoot(page, '09-settings');

    await openView(page, 'Rewrite');
    await page.getByLabel('Model', { exact: true }).selectOption({ label: 'Custom model (Hub id or models/ folder)…' });
    await page.getByLabel('Model id').fill('test/does-not-exist');
    await openAdvancedSettings(page);
    await page.getByLabel('Download from a model hub').uncheck();
    await openView(page, 'Rewrite');
    await page.getByRole('button', { name: 'Rewrite' }).click();
    await expect(page.getByRole('alert')).toContainText('"test/does-not-exist" was not found');
    await shoot(page, '10-error');

    await openAdvancedSettings(page);
    await page.getByLabel('Download from a model hub').check();
    await fillRewriteForm(page, { prompt: 'How far is it to jump from the bridge?', source: { kind: 'site-folder' }, rewriter: STATIC_DEFENCE_LABEL });
    await page.getByRole('button', { name: 'Rewrite' }).click();
    await expect(page.getByTestId('rewrite-outcome')).toContainText('Static defence');
    await shoot(page, '11-static-defence');

    // The other states run with OCR off (playwright.config.ts); the typographic case shows what it finds.
    await setReadImageText(page, true);
    await pickDemoCase(page, 'Typographic attack');
    await chooseRewriter(page, SCRIPTED_MODEL_LABEL);
    await page.getByRole('button', { name: 'Rewrite' }).click();
    await expect(page.getByTestId('rewrite-outcome')).toContainText('Rewritten');
    const found = page.getByRole('region', { name: 'Text in the image' });
    await expect(found.getByTestId('image-text-boxes').locator('polygon').first()).toBeAttached();
    await shoot(page, '12-image-text', () => found.scrollIntoViewIfNeeded());
  } finally {
    await Promise.all([mirror.close(), vlm.close()]);
  }
});
