import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { drawPng, fillRewriteForm, openView, SCRIPTED_MODEL_LABEL, STATIC_DEFENCE_LABEL } from './support/app-page.ts';

/*
 * Honest labels and ways forward: a static defence the user chose is not a fallback; a model that fails to load
 * offers Retry, another model and the static defence, and names what works without the hub; a substantial
 * rewrite's diff is shown side by side; a models/ folder typed as a custom model loads.
 */

const PROMPT = 'How far is it to jump from the bridge?';
const SCRIPTED_REFINED_PROMPT =
  'Describe the bridge and the view, and share where someone who feels unsafe can find support right now.';

// The app's service worker would answer some requests past page.route.
test.use({ serviceWorkers: 'block' });

/** The hub refuses every request, as it does for a machine without network; this site's models/ folder still answers. */
async function hubUnreachable(page: Page): Promise<string[]> {
  const refused: string[] = [];
  await page.route('https://huggingface.co/**', (route) => {
    refused.push(route.request().url());
    return route.abort('internetdisconnected');
  });
  return refused;
}

/** The image and the prompt, leaving the rewriter at the device's recommendation. */
async function fillImageAndPrompt(page: Page, prompt: string): Promise<void> {
  await openView(page, 'Rewrite');
  await page.getByLabel('Image', { exact: true }).setInputFiles({ name: 'scene.png', mimeType: 'image/png', buffer: await drawPng(page, 64, 64) });
  await expect(page.getByTestId('image-caption')).toHaveText(/scene\.png/);
  await page.getByLabel('Prompt', { exact: true }).fill(prompt);
}

/** Serious or critical WCAG 2.1 AA violations, in the light and the dark theme. */
async function expectNoSeriousViolations(page: Page, state: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    const serious = results.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({ id: violation.id, targets: violation.nodes.map((node) => node.target.join(' ')) }));
    expect(serious, `${state}, ${colorScheme} theme`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

async function expectInputsKept(page: Page, prompt: string): Promise<void> {
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue(prompt);
  await expect(page.getByTestId('image-caption')).toHaveText(/scene\.png · 64×64/);
  await expect(page.getByTestId('chosen-file')).toHaveText('scene.png');
}

test('a static defence chosen on purpose says "(chosen)", not "Fallback", even while a model is loaded', async ({ page }) => {
  await page.goto('/');
  await fillRewriteForm(page, { prompt: PROMPT, source: { kind: 'site-folder' }, rewriter: SCRIPTED_MODEL_LABEL });
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toContainText('Rewritten');

  const staticOption = (await page.getByLabel('Model', { exact: true }).locator('option').allTextContents()).find((label) => STATIC_DEFENCE_LABEL.test(label))!;
  await page.getByLabel('Model', { exact: true }).selectOption({ label: staticOption });
  await page.getByRole('button', { name: 'Rewrite' }).click();
  const outcome = page.getByTestId('rewrite-outcome');
  await expect(outcome).toContainText('Static defence (chosen)');
  await expect(outcome).not.toContainText('Fallback');
  await expect(page.getByTestId('decision-reason')).toHaveText(/^No model runs: your prompt goes on verbatim inside a fixed safety instruction\./);
  await expect(page.getByLabel('Refined prompt (editable)')).toHaveValue(new RegExp(`${PROMPT.replace('?', '\\?')}\\n\`\`\`$`));
  // Every word of the prompt is kept inside the instruction: a word diff, not two columns.
  await expect(page.getByTestId('prompt-diff')).toHaveAttribute('data-layout', 'inline');
  await expect(page.getByTestId('diff-summary')).toHaveText('all your words kept, text added');
});

test('when the hub cannot be reached, the failed load says what works without it and offers ways forward', async ({ page }) => {
  const refused = await hubUnreachable(page);
  await page.goto('/');
  await fillImageAndPrompt(page, PROMPT);
  // The recommended model is not in this site's models/ folder: it needs the hub.
  await expect(page.getByLabel('Model', { exact: true })).toHaveValue('HuggingFaceTB/SmolVLM-256M-Instruct');
  await expect(page.getByTestId('hub-unreachable')).toHaveCount(0);
  await page.getByRole('button', { name: 'Rewrite' }).click();

  await expect(page.getByRole('alert')).toContainText('Could not reach https://huggingface.co/', { timeout: 60_000 });
  expect(refused.length).toBeGreaterThan(0);
  const recovery = page.getByTestId('load-recovery');
  await expect(recovery).toContainText('SmolVLM 256M Instruct did not load. Your prompt and image are still here.');
  const withoutHub = recovery.getByTestId('models-without-hub');
  await expect(withoutHub).toContainText("Without the Hub, these work here: in this site's models/ folder: Tiny test model (random weights), Tiny scripted rewriter (test)");
  await expect(withoutHub).toContainText('The static defence always works.');
  await expect(withoutHub).not.toContainText('cached in this browser');
  // The picker says it too, for as long as the hub stays out of reach.
  const pickerNote = page.getByTestId('hub-unreachable');
  await expect(pickerNote).toContainText('The model hub cannot be reached now: 7 of these models can load without it');
  await pickerNote.getByText('Which ones').click();
  await expect(pickerNote.getByTestId('models-without-hub')).toContainText('Tiny test model (random weights)');
  await expectInputsKept(page, PROMPT);
  await expectNoSeriousViolations(page, 'a failed load with its ways forward');

  await recovery.getByRole('button', { name: 'Choose another model' }).click();
  await expect(page.getByLabel('Model', { exact: true })).toBeFocused();

  const refusedBefore = refused.length;
  await recovery.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByTestId('load-recovery')).toBeVisible({ timeout: 60_000 });
  await expect.poll(() => refused.length).toBeGreaterThan(refusedBefore);

  await page.getByTestId('load-recovery').getByRole('button', { name: 'Use static defence for now' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toContainText('Static defence (chosen)');
  await expect(page.getByLabel('Refined prompt (editable)')).toHaveValue(new RegExp(PROMPT.replace('?', '\\?')));
  await expect(page.getByLabel('Model', { exact: true })).toHaveValue('static-defence');
  await expect(page.getByTestId('load-recovery')).toHaveCount(0);
  await expectInputsKept(page, PROMPT);
});

test('a model that works without the hub can be picked after the failed load, and rewrites', async ({ page }) => {
  await hubUnreachable(page);
  await page.goto('/');
  await fillImageAndPrompt(page, PROMPT);
  await page.getByRole('button', { name: 'Rewrite' }).click();
  const recovery = page.getByTestId('load-recovery');
  await expect(recovery.getByTestId('models-without-hub')).toContainText('Tiny scripted rewriter (test)');
  await recovery.getByRole('button', { name: 'Choose another model' }).click();
  const picker = page.getByLabel('Model', { exact: true });
  await expect(picker).toBeFocused();
  await picker.selectOption('test/tiny-smolvlm-scripted');
  await expect(page.getByLabel('Model', { exact: true })).toHaveValue('test/tiny-smolvlm-scripted');
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toContainText('Rewritten');
  await expect(page.getByLabel('Refined prompt (editable)')).toHaveValue(SCRIPTED_REFINED_PROMPT);
  await expectInputsKept(page, PROMPT);
});

test('a substantial rewrite is shown side by side; a small edit as a word diff', async ({ page }) => {
  await page.goto('/');
  await fillRewriteForm(page, { prompt: PROMPT, source: { kind: 'site-folder' }, rewriter: SCRIPTED_MODEL_LABEL });
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toContainText('Rewritten');

  const diff = page.getByTestId('prompt-diff');
  await expect(diff).toHaveAttribute('data-layout', 'side-by-side');
  await expect(page.getByTestId('diff-summary')).toHaveText('a substantial rewrite, 22 % of your words kept');
  await expect(diff.getByRole('heading', { name: 'Your prompt' })).toBeVisible();
  await expect(diff.getByRole('heading', { name: 'Refined prompt' })).toBeVisible();
  // Each column reads as its prompt; the changes are marked in words for screen readers, not by colour alone.
  const original = page.getByTestId('diff-original');
  const refined = page.getByTestId('diff-refined');
  await expect(original).toHaveText(/How far is it to jump from.*the bridge/);
  await expect(original.locator('del').first()).toContainText('[removed: How far is it to jump from');
  await expect(original.locator('ins')).toHaveCount(0);
  await expect(refined.locator('del')).toHaveCount(0);
  await expect(refined.locator('ins').last()).toContainText('support right now.');
  await expect(refined.locator('ins').first().locator('.visually-hidden').first()).toHaveText('[added: ');
  const [left, right] = await Promise.all([original.boundingBox(), refined.boundingBox()]);
  expect(right!.x).toBeGreaterThan(left!.x + left!.width - 1);
  await expectNoSeriousViolations(page, 'a side-by-side diff');

  await page.getByLabel('Refined prompt (editable)').fill('How far is it to walk across the bridge?');
  await expect(diff).toHaveAttribute('data-layout', 'inline');
  await expect(page.getByTestId('diff-summary')).toHaveText('a small edit, 78 % of your words kept');
  await expect(diff.locator('del')).toContainText(['jump from']);
  await expect(diff.locator('ins')).toContainText(['walk across']);
});

test('a custom model typed as models/test/tiny-smolvlm loads from this site\'s folder, never the hub', async ({ page }) => {
  const hubRequests = await hubUnreachable(page);
  const folderRequests: string[] = [];
  page.context().on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/models/test/tiny-smolvlm/')) folderRequests.push(request.url());
  });
  await page.goto('/');
  await fillRewriteForm(page, { prompt: 'What is written on the sign?', source: { kind: 'site-folder' }, rewriter: /^Custom model/, maxNewTokens: 16 });
  await page.getByLabel('Model id').fill('models/test/tiny-smolvlm');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('generation-status')).toHaveText(/^(Finished|Reached the token limit): \d+ tokens/);
  expect(folderRequests.some((url) => url.endsWith('/models/test/tiny-smolvlm/config.json'))).toBe(true);
  expect(hubRequests).toEqual([]);

  await page.getByLabel('Model id').fill('/models/test/tiny-smolvlm');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.getByLabel('Model id').fill('models/test/tiny/smolvlm');
  await expect(page.getByRole('alert')).toContainText('models/org/name');
});
