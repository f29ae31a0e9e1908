import { expect, type Page } from '@playwright/test';

export const TINY_MODEL_LABEL = /Tiny test model/;
export const SCRIPTED_MODEL_LABEL = /Tiny scripted rewriter/;
export const BENIGN_MODEL_LABEL = /Tiny scripted pass-through/;
export const STATIC_DEFENCE_LABEL = /Static defence/;

/** A PNG drawn by the page itself, so no image file needs to ship with the tests. */
export async function drawPng(page: Page, width: number, height: number): Promise<Buffer> {
  const base64 = await page.evaluate(
    async ([w, h]) => {
      const canvas = new OffscreenCanvas(w, h);
      const context = canvas.getContext('2d')!;
      const gradient = context.createLinearGradient(0, 0, w, h);
      gradient.addColorStop(0, '#1d4ed8');
      gradient.addColorStop(1, '#f59e0b');
      context.fillStyle = gradient;
      context.fillRect(0, 0, w, h);
      const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
      let binary = '';
      for (const byte of bytes) binary += String.fromCharCode(byte);
      return btoa(binary);
    },
    [width, height] as const,
  );
  return Buffer.from(base64, 'base64');
}

export interface RewriteForm {
  prompt: string;
  /** Where the model comes from: this site's /models/ folder, or only the given hub. */
  source: { kind: 'site-folder' } | { kind: 'hub'; url: string };
  /** The output limit; the app's default when absent. */
  maxNewTokens?: number;
  /** The rewriter's option label; the tiny random model when absent. */
  rewriter?: RegExp;
}

/** The views, by the name the navigation gives them. */
export type AppView = 'Rewrite' | 'Models' | 'History' | 'Settings';

/** Opens a view from the navigation, as a user would, and waits until it is the one shown. */
export async function openView(page: Page, view: AppView): Promise<void> {
  const link = page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: view });
  if ((await link.getAttribute('aria-current')) !== 'page') await link.click();
  await expect(link).toHaveAttribute('aria-current', 'page');
}

/** Fills the form in the Rewrite view (and the settings it needs), and leaves the Rewrite view open. */
export async function fillRewriteForm(page: Page, form: RewriteForm): Promise<void> {
  await openView(page, 'Rewrite');
  await page.getByLabel('Image', { exact: true }).setInputFiles({ name: 'scene.png', mimeType: 'image/png', buffer: await drawPng(page, 64, 64) });
  await expect(page.getByRole('img', { name: /Selected image/ })).toBeVisible();
  await page.getByLabel('Prompt', { exact: true }).fill(form.prompt);
  await page.getByLabel('Model', { exact: true }).selectOption({ label: await optionLabel(page, form.rewriter ?? TINY_MODEL_LABEL) });
  if (form.source.kind === 'hub') await selectHubOnly(page, form.source.url);
  if (form.maxNewTokens !== undefined) {
    await openAdvancedSettings(page);
    await page.getByLabel('Output limit (tokens)').fill(String(form.maxNewTokens));
  }
  await openView(page, 'Rewrite');
}

/** Opens the Settings view, where the model source, the backend and the output limit are; it stays open. */
export async function openAdvancedSettings(page: Page): Promise<void> {
  await openView(page, 'Settings');
  await expect(page.getByRole('group', { name: 'Model source and backend' })).toBeVisible();
}

/** Sets the decision settings that are given (the others keep their values), then goes back to the Rewrite view. */
export async function setDecisionSettings(page: Page, settings: { constrained?: boolean; strictness?: number }): Promise<void> {
  await openView(page, 'Settings');
  if (settings.constrained !== undefined) await page.getByLabel('Constrain the output to the format').setChecked(settings.constrained);
  if (settings.strictness !== undefined) await page.getByLabel(/^Strictness/).fill(String(settings.strictness));
  await openView(page, 'Rewrite');
}

/** Models come only from the given hub, not from this site's /models/ folder; then back to the Rewrite view. */
export async function selectHubOnly(page: Page, hubUrl: string): Promise<void> {
  await openAdvancedSettings(page);
  await page.getByLabel(/Look in this site's \/models\/ folder first/).uncheck();
  await page.getByLabel('Hub URL').fill(hubUrl);
  await openView(page, 'Rewrite');
}

/** URLs of the Cache Storage entries that belong to a model. */
export async function cachedModelUrls(page: Page, modelId: string): Promise<string[]> {
  return page.evaluate(async (id) => {
    const cache = await caches.open('transformers-cache');
    return (await cache.keys()).map((request) => request.url).filter((url) => url.includes(`/${id}/`));
  }, modelId);
}

async function optionLabel(page: Page, pattern: RegExp): Promise<string> {
  const labels = await page.getByLabel('Model', { exact: true }).locator('option').allTextContents();
  const label = labels.find((text) => pattern.test(text));
  if (!label) throw new Error(`No rewriter matches ${pattern}: ${labels.join(', ')}`);
  return label;
}

/** Records every text the generation status shows, so a test can tell streaming from a single final update. */
export async function recordStatusTexts(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __statusTexts: string[] }).__statusTexts = seen;
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid="generation-status"]')?.textContent;
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  return () => page.evaluate(() => (window as unknown as { __statusTexts: string[] }).__statusTexts);
}

/** Clicks Stop from inside the page as soon as `tokens` tokens have streamed: no round trip to the test. */
export async function stopAfterTokens(page: Page, tokens: number): Promise<void> {
  await page.evaluate((threshold) => {
    const observer = new MutationObserver(() => {
      const text = document.querySelector('[data-testid="generation-status"]')?.textContent ?? '';
      const count = Number(/Generating… (\d+) tokens/.exec(text)?.[1] ?? 0);
      if (count >= threshold) {
        observer.disconnect();
        [...document.querySelectorAll('button')].find((button) => button.textContent === 'Stop')?.click();
      }
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  }, tokens);
}

/** A fresh visitor's storage: nothing remembered, so OCR is on (playwright.config.ts turns it off for the other specs). */
export const FRESH_VISITOR = { cookies: [], origins: [] };

/** Fills the image and the prompt from a demo case, as its button in the gallery does; the Rewrite view stays open. */
export async function pickDemoCase(page: Page, title: string): Promise<void> {
  await openView(page, 'Rewrite');
  await page.getByRole('group', { name: 'Demo cases' }).getByRole('button', { name: title }).click();
  await expect(page.getByRole('img', { name: /Selected image/ })).toBeVisible();
}

/** Turns OCR on or off in Settings, then goes back to the Rewrite view. */
export async function setReadImageText(page: Page, on: boolean): Promise<void> {
  await openView(page, 'Settings');
  await page.getByLabel('Read text in the image (OCR, on this device)').setChecked(on);
  await openView(page, 'Rewrite');
}

/** Chooses a rewriter in the picker by its option label. */
export async function chooseRewriter(page: Page, rewriter: RegExp): Promise<void> {
  await page.getByLabel('Model', { exact: true }).selectOption({ label: await optionLabel(page, rewriter) });
}
