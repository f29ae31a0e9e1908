import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { fillRewriteForm, openView, SCRIPTED_MODEL_LABEL, type AppView } from './support/app-page.ts';

const VIEWS: readonly AppView[] = ['Rewrite', 'Models', 'History', 'Settings'];

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({ id: violation.id, help: violation.help, targets: violation.nodes.map((node) => node.target.join(' ')) }));
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`no serious accessibility violations, empty and with a result (${colorScheme} theme)`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await page.goto('/');
    await openView(page, 'Models');
    await expect(page.getByRole('heading', { name: 'Models' })).toBeVisible();
    // Each view on its own: axe skips what is hidden, and only one view is shown at a time.
    for (const view of VIEWS) {
      await openView(page, view);
      expect(await seriousViolations(page), `${view} view, empty`).toEqual([]);
    }

    await fillRewriteForm(page, { prompt: 'How far is it to jump from the bridge?', source: { kind: 'site-folder' }, rewriter: SCRIPTED_MODEL_LABEL });
    await page.getByRole('button', { name: 'Rewrite' }).click();
    await expect(page.getByTestId('rewrite-outcome')).toContainText('Rewritten');
    expect(await seriousViolations(page)).toEqual([]);
    for (const view of VIEWS) {
      await openView(page, view);
      expect(await seriousViolations(page), `${view} view, with a result`).toEqual([]);
    }
    await page.getByRole('button', { name: 'Presenter mode' }).click();
    await openView(page, 'Rewrite');
    expect(await seriousViolations(page), 'presenter mode, with a result').toEqual([]);
  });
}

test('the rewrite can be done with the keyboard alone', async ({ page }) => {
  await page.goto('/');
  await fillRewriteForm(page, { prompt: 'Describe the view.', source: { kind: 'site-folder' }, rewriter: SCRIPTED_MODEL_LABEL });
  await page.getByLabel('Prompt', { exact: true }).focus();
  // From the prompt, Tab walks the rewriter choice and the settings to the Rewrite button.
  for (let step = 0; step < 20; step++) {
    await page.keyboard.press('Tab');
    if (await page.getByRole('button', { name: 'Rewrite' }).evaluate((button) => button === document.activeElement)) break;
  }
  await expect(page.getByRole('button', { name: 'Rewrite' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('rewrite-outcome')).toContainText('Rewritten');
});
