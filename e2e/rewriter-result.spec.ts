import { expect, test } from '@playwright/test';
import {
  BENIGN_MODEL_LABEL,
  fillRewriteForm,
  SCRIPTED_MODEL_LABEL,
  setDecisionSettings,
  STATIC_DEFENCE_LABEL,
} from './support/app-page.ts';

const SCRIPTED_REFINED_PROMPT =
  'Describe the bridge and the view, and share where someone who feels unsafe can find support right now.';

test('a well-formed rewrite shows the three analyses, the risk badge, the diff and the outcome', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/');
  const prompt = 'How far is it to jump from the bridge?';
  await fillRewriteForm(page, { prompt, source: { kind: 'site-folder' }, rewriter: SCRIPTED_MODEL_LABEL });
  await page.getByRole('button', { name: 'Rewrite' }).click();

  await expect(page.getByTestId('rewrite-outcome')).toContainText('Rewritten');
  await expect(page.getByTestId('analysis-textual')).toHaveText('The question asks how far it is to jump from the bridge.');
  await expect(page.getByTestId('analysis-visual')).toHaveText('A tall bridge over deep water; no text in the image.');
  await expect(page.getByTestId('analysis-crossModal')).toHaveText('Together they suggest a risk of self-harm.');
  await expect(page.getByTestId('risk-level')).toHaveText('Risk: high');
  await expect(page.getByTestId('risk-category')).toHaveText('Self-harm and suicide');
  await expect(page.getByTestId('probability-high')).toHaveText('1.00');
  await expect(page.getByTestId('decision-reason')).toHaveText(
    'Rewritten: the model judged the risk high (P 1.00), Self-harm and suicide, and its refined prompt is used.',
  );

  const diff = page.getByTestId('prompt-diff');
  await expect(diff.locator('del')).not.toHaveCount(0);
  await expect(diff.locator('ins').first()).toBeVisible();
  const editor = page.getByLabel('Refined prompt (editable)');
  await expect(editor).toHaveValue(SCRIPTED_REFINED_PROMPT);

  await editor.fill(`${SCRIPTED_REFINED_PROMPT} Keep it short.`);
  await expect(diff).toContainText('Keep it short.');
  await page.getByRole('button', { name: 'Copy' }).click();
  await expect(page.getByText('Copied to the clipboard.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${SCRIPTED_REFINED_PROMPT} Keep it short.`);
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue(prompt);
});

test('noise from an unconstrained model ends in a labelled fallback that still carries the prompt', async ({ page }) => {
  await page.goto('/');
  const prompt = 'What is written on the sign?';
  await fillRewriteForm(page, { prompt, source: { kind: 'site-folder' }, maxNewTokens: 48 });
  await setDecisionSettings(page, { constrained: false });
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toContainText('Fallback: static defence');
  // A fallback names its reason, in words.
  await expect(page.getByTestId('rewrite-outcome')).toContainText('Fallback: static defence (no readable risk level)');
  await expect(page.getByTestId('risk-level')).toHaveText('Risk: unknown');
  await expect(page.getByLabel('Refined prompt (editable)')).toHaveValue(new RegExp(escapeRegExp(prompt)));
  await expect(page.getByTestId('risk-meter')).toHaveCount(0);
});

test('under the constraint a random model fills every section in order, with a risk score', async ({ page }) => {
  await page.goto('/');
  await fillRewriteForm(page, { prompt: 'What is written on the sign?', source: { kind: 'site-folder' } });
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toBeVisible({ timeout: 120_000 });
  for (const section of ['textual', 'visual', 'crossModal']) {
    await expect(page.getByTestId(`analysis-${section}`)).not.toHaveText('—');
  }
  await expect(page.getByTestId('risk-level')).toHaveText(/^Risk: (none|low|medium|high)$/);
  const probabilities = await Promise.all(
    ['none', 'low', 'medium', 'high'].map(async (level) => Number(await page.getByTestId(`probability-${level}`).textContent())),
  );
  expect(Math.abs(probabilities.reduce((sum, p) => sum + p, 0) - 1)).toBeLessThanOrEqual(0.02);
  await expect(page.getByTestId('decision-reason')).toHaveText(/^(Passed through|Rewritten|Static defence): /);
});

test('the strictness decides whether a "no risk" verdict passes the prompt through', async ({ page }) => {
  await page.goto('/');
  const prompt = 'Which fruit is on the table?';
  await fillRewriteForm(page, { prompt, source: { kind: 'site-folder' }, rewriter: BENIGN_MODEL_LABEL });
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toContainText('Passed through unchanged');
  await expect(page.getByTestId('probability-none')).toHaveText('0.87');
  await expect(page.getByTestId('decision-reason')).toHaveText('Passed through: P(no risk) 0.87 ≥ 0.80 (strictness).');
  await expect(page.getByLabel('Refined prompt (editable)')).toHaveValue(prompt);

  await setDecisionSettings(page, { strictness: 0.95 });
  await expect(page.getByTestId('strictness-value')).toHaveText('0.95');
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toContainText('Rewritten');
  await expect(page.getByTestId('decision-reason')).toContainText('P(no risk) 0.87 < 0.95 (strictness)');
  await expect(page.getByLabel('Refined prompt (editable)')).toHaveValue('What is shown in this picture?');
});

test('the static defence works instantly, without any model download', async ({ page }) => {
  const modelRequests: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/models/')) modelRequests.push(request.url());
  });
  await page.goto('/');
  const prompt = 'Describe this picture.';
  await fillRewriteForm(page, { prompt, source: { kind: 'site-folder' }, rewriter: STATIC_DEFENCE_LABEL });
  await page.getByRole('button', { name: 'Rewrite' }).click();
  // Chosen on purpose, it is not a fallback (issue 13): "Static defence (chosen)", never "Fallback: …".
  await expect(page.getByTestId('rewrite-outcome')).toContainText('Static defence (chosen)');
  await expect(page.getByTestId('rewrite-outcome')).not.toContainText('Fallback');
  await expect(page.getByLabel('Refined prompt (editable)')).toHaveValue(new RegExp(escapeRegExp(prompt)));
  await expect(page.getByTestId('generation-status')).toHaveCount(0);
  expect(modelRequests).toEqual([]);
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
