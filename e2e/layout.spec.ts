import { expect, test, type Locator, type Page } from '@playwright/test';
import { fillRewriteForm, openView, setDecisionSettings, STATIC_DEFENCE_LABEL, type AppView } from './support/app-page.ts';

const VIEWS: readonly AppView[] = ['Rewrite', 'Models', 'History', 'Settings'];
const LAPTOP = { width: 1280, height: 800 };

const navLink = (page: Page, view: AppView) => page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: view });

async function rewriteWithStaticDefence(page: Page, prompt = 'Describe this picture.'): Promise<void> {
  await fillRewriteForm(page, { prompt, source: { kind: 'site-folder' }, rewriter: STATIC_DEFENCE_LABEL });
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toBeVisible();
}

/** How far the page reaches past the right edge of the window, in CSS pixels. */
async function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

async function expectWithin(locator: Locator, area: { width: number; height: number }, what: string): Promise<void> {
  const box = await locator.boundingBox();
  expect(box, `${what} is laid out`).not.toBeNull();
  const { x, y, width, height } = box!;
  expect({ what, left: x >= 0, top: y >= 0, right: x + width <= area.width, bottom: y + height <= area.height }).toEqual({
    what,
    left: true,
    top: true,
    right: true,
    bottom: true,
  });
}

for (const width of [360, 390]) {
  test(`nothing scrolls sideways at ${width} px, on any view, with a result and every remote field`, async ({ page }) => {
    const screen = { width, height: 800 };
    await page.setViewportSize(screen);
    await page.goto('/');
    await rewriteWithStaticDefence(page);
    const remote = page.getByRole('region', { name: 'Send to a remote VLM' });
    // The Custom preset shows every remote field: the key, its hint and both checkboxes.
    await remote.getByLabel('Endpoint').selectOption({ label: 'Custom (OpenAI-compatible)' });

    for (const presenter of [false, true]) {
      if (presenter) await page.getByRole('button', { name: 'Presenter mode' }).click();
      for (const view of VIEWS) {
        await openView(page, view);
        expect(await sidewaysOverflow(page), `${view} view at ${width} px${presenter ? ' in presenter mode' : ''}`).toBeLessThanOrEqual(0);
      }
    }
    await page.getByRole('button', { name: 'Presenter mode' }).click();
    await openView(page, 'Rewrite');

    // The remote panel's buttons wrap instead of running off the edge.
    for (const button of await remote.getByRole('button').all()) {
      await button.scrollIntoViewIfNeeded();
      const box = (await button.boundingBox())!;
      expect({ button: await button.textContent(), right: box.x + box.width <= width }).toEqual({ button: await button.textContent(), right: true });
    }
    for (const name of [/Send the image/, /Remember the key/]) {
      const box = (await remote.getByRole('checkbox', { name }).boundingBox())!;
      expect(Math.min(box.width, box.height), `${name} is big enough to hit`).toBeGreaterThanOrEqual(20);
    }
    // The key field keeps its height, and its hint reads as a hint, not as a second label.
    const key = remote.getByLabel(/API key/);
    expect((await key.boundingBox())!.height).toBeGreaterThanOrEqual(30);
    await expect(key).toHaveAccessibleDescription(/Kept in memory only/);
    const hintWeight = await remote.getByText(/Kept in memory only/).evaluate((hint) => Number(getComputedStyle(hint).fontWeight));
    expect(hintWeight).toBeLessThan(600);
  });
}

test('the core flow and its result fit the first 1280×800 screen', async ({ page }) => {
  await page.setViewportSize(LAPTOP);
  await page.goto('/');
  await fillRewriteForm(page, { prompt: 'Describe this picture.', source: { kind: 'site-folder' }, rewriter: STATIC_DEFENCE_LABEL });
  const controls = {
    'the image input': page.getByTestId('drop-zone'),
    'the image preview': page.getByRole('img', { name: /Selected image/ }),
    'the prompt': page.getByLabel('Prompt', { exact: true }),
    'the rewriter': page.getByLabel('Model', { exact: true }),
    'the Rewrite button': page.getByRole('button', { name: 'Rewrite' }),
  };
  await page.evaluate(() => window.scrollTo(0, 0));
  for (const [what, control] of Object.entries(controls)) await expectWithin(control, LAPTOP, what);

  await controls['the Rewrite button'].click();
  await expect(page.getByTestId('rewrite-outcome')).toContainText('Static defence');
  expect(await page.evaluate(() => window.scrollY)).toBe(0);
  await expectWithin(page.getByTestId('rewrite-outcome'), LAPTOP, 'the outcome');
  await expectWithin(page.getByLabel('Refined prompt (editable)'), LAPTOP, 'the refined prompt');
  for (const [what, control] of Object.entries(controls)) await expectWithin(control, LAPTOP, `${what}, with the result shown`);
});

test('Ctrl+Enter rewrites from the prompt, ⌘+Enter from elsewhere in the form, and neither when Rewrite is off', async ({ page }) => {
  await page.goto('/');
  await fillRewriteForm(page, { prompt: 'Describe this picture.', source: { kind: 'site-folder' }, rewriter: STATIC_DEFENCE_LABEL });
  const prompt = page.getByLabel('Prompt', { exact: true });
  await prompt.press('Control+Enter');
  await expect(page.getByTestId('rewrite-outcome')).toBeVisible();
  await expect(page.getByLabel('Refined prompt (editable)')).toHaveValue(/Describe this picture\./);
  await expect(prompt).toHaveValue('Describe this picture.');
  await expect(navLink(page, 'History')).toHaveText('History (1)');

  await prompt.fill('Describe the second picture.');
  await page.getByLabel('Model', { exact: true }).press('Meta+Enter');
  await expect(page.getByLabel('Refined prompt (editable)')).toHaveValue(/Describe the second picture\./);
  await expect(navLink(page, 'History')).toHaveText('History (2)');

  await prompt.fill('   ');
  await expect(page.getByRole('button', { name: 'Rewrite' })).toBeDisabled();
  await prompt.press('Control+Enter');
  await expect(page.getByLabel('Refined prompt (editable)')).toHaveValue(/Describe the second picture\./);
  await expect(navLink(page, 'History')).toHaveText('History (2)');
});

test('every view has its own URL, and the navigation works from the keyboard', async ({ page }) => {
  const headings: Record<AppView, string> = { Rewrite: 'Image and question', Models: 'Models', History: 'History', Settings: 'Settings' };
  const paths: Record<AppView, string> = { Rewrite: '/#/', Models: '/#/models', History: '/#/history', Settings: '/#/settings' };
  for (const view of VIEWS) {
    await page.goto(paths[view]);
    await expect(navLink(page, view)).toHaveAttribute('aria-current', 'page');
    await expect(page).toHaveTitle(view === 'Rewrite' ? 'VLMGuard Web — local safety rewriter' : `${view} · VLMGuard Web — local safety rewriter`);
    await expect(page.getByRole('heading', { name: headings[view], exact: true })).toBeVisible();
    for (const other of VIEWS.filter((candidate) => candidate !== view)) {
      await expect(navLink(page, other)).not.toHaveAttribute('aria-current', 'page');
      await expect(page.getByRole('heading', { name: headings[other], exact: true })).toBeHidden();
    }
  }
  await page.goto('/#/nowhere');
  await expect(page).toHaveURL(/#\/$/);
  await expect(navLink(page, 'Rewrite')).toHaveAttribute('aria-current', 'page');

  // From the top of the page, Tab reaches the views' links; Enter opens one and puts the focus on its heading.
  await page.getByLabel('Prompt', { exact: true }).fill('Typed before switching views.');
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (let step = 0; step < 8 && !(await navLink(page, 'Settings').evaluate((link) => link === document.activeElement)); step++) {
    await page.keyboard.press('Tab');
  }
  await expect(navLink(page, 'Settings')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/settings$/);
  await expect(page.getByRole('heading', { name: 'Settings', exact: true })).toBeFocused();
  await page.getByLabel('Output limit (tokens)').fill('64');

  // Back returns to the Rewrite view with what was typed; the setting is still there on the way back.
  await page.goBack();
  await expect(page).toHaveURL(/#\/$/);
  await expect(navLink(page, 'Rewrite')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('Typed before switching views.');
  await openView(page, 'Settings');
  await expect(page.getByLabel('Output limit (tokens)')).toHaveValue('64');
});

test('a rewrite goes on while another view is open, and the form is kept', async ({ page }) => {
  await page.goto('/');
  await fillRewriteForm(page, { prompt: 'Keep going while I look at the history.', source: { kind: 'site-folder' }, maxNewTokens: 2048 });
  // Unconstrained, the tiny model writes noise up to the limit: under the format it could be done before Stop.
  await setDecisionSettings(page, { constrained: false });
  await page.getByRole('button', { name: 'Rewrite' }).click();
  const status = page.getByTestId('generation-status');
  await expect(status).toHaveText(/Generating… [1-9]/, { timeout: 60_000 });
  const tokensNow = async () => Number(/Generating… (\d+) tokens/.exec((await status.textContent()) ?? '')?.[1] ?? 0);
  const before = await tokensNow();

  await openView(page, 'History');
  await expect.poll(tokensNow, { message: 'tokens keep coming while History is open' }).toBeGreaterThan(before + 5);
  await openView(page, 'Models');
  await openView(page, 'Rewrite');
  await expect(status).toBeVisible();
  await expect(status).toHaveText(/Generating…/);
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.getByTestId('rewrite-outcome')).toBeVisible();
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('Keep going while I look at the history.');
  await expect(page.getByTestId('image-caption')).toHaveText(/scene\.png/);
});
