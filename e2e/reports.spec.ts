import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import { readFile } from 'node:fs/promises';
import { drawPng, fillRewriteForm, openView, STATIC_DEFENCE_LABEL } from './support/app-page.ts';

/*
 * The files a stakeholder takes away (the HTML report, the Markdown zip, the JSON export) and the way back in
 * (history import). Records come from the static defence: instant, and no model is needed.
 */

const MARKUP_PROMPT = 'Is <b>bold</b><script>window.__x=1</script> safe? "><img src=x onerror="window.__y=1"> </pre></style>';

async function staticDefenceRewrite(page: Page, prompt: string): Promise<void> {
  await fillRewriteForm(page, { prompt, source: { kind: 'site-folder' }, rewriter: STATIC_DEFENCE_LABEL });
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toContainText('Static defence');
}

const historyRegion = (page: Page) => page.getByRole('region', { name: 'History' });
const historyItems = (page: Page) => historyRegion(page).getByRole('listitem');
const exportAll = (page: Page, format: string) => historyRegion(page).getByRole('group', { name: 'Export all' }).getByRole('button', { name: format });

async function download(page: Page, button: Locator): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return { name: file.suggestedFilename(), bytes: await readFile((await file.path())!) };
}

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({ id: violation.id, targets: violation.nodes.map((node) => node.target.join(' ')) }));
}

async function importFile(page: Page, file: { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), historyRegion(page).getByRole('button', { name: 'Import…' }).click()]);
  await chooser.setFiles(file);
}

test('the HTML report opens as one self-contained page, runs no script and shows markup in a prompt as text', async ({ page, context }) => {
  await page.goto('/');
  await staticDefenceRewrite(page, MARKUP_PROMPT);
  await openView(page, 'History');

  const report = await download(page, exportAll(page, 'Report (HTML)'));
  expect(report.name).toMatch(/^vlmguard-report-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.html$/);
  const text = report.bytes.toString('utf8');
  expect(text).not.toMatch(/<script/i);

  // Opened on its own, away from the app, as a stakeholder would open the file.
  const reader = await context.newPage();
  await reader.setContent(text, { waitUntil: 'load' });
  await expect(reader).toHaveTitle('VLMGuard rewrite report');
  const facts = await reader.evaluate(() => ({
    scripts: document.querySelectorAll('script').length,
    injected: document.querySelectorAll('pre *, b, iframe, svg, img[src="x"]').length,
    ran: (window as unknown as { __x?: number }).__x === 1,
    imageHandlerRan: (window as unknown as { __y?: number }).__y === 1,
    policy: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content'),
    images: [...document.images].map((image) => ({ src: image.src.slice(0, 23), loaded: image.complete && image.naturalWidth > 0 })),
    cases: document.querySelectorAll('article.case').length,
  }));
  expect(facts).toEqual({
    scripts: 0,
    injected: 0,
    ran: false,
    imageHandlerRan: false,
    policy: "default-src 'none'; img-src data:; style-src 'unsafe-inline'",
    images: [{ src: 'data:image/jpeg;base64,', loaded: true }],
    cases: 1,
  });
  const prompt = reader.getByRole('heading', { name: 'Prompt', exact: true }).locator('xpath=following-sibling::pre[1]');
  await expect(prompt).toHaveText(MARKUP_PROMPT);
  await expect(reader.getByText('Static defence (chosen)').first()).toBeVisible();
  expect(await seriousViolations(reader), 'the HTML report').toEqual([]);

  // Printed (to PDF): white paper, each case on a page of its own.
  await reader.emulateMedia({ media: 'print', colorScheme: 'dark' });
  const print = await reader.evaluate(() => ({
    background: getComputedStyle(document.body).backgroundColor,
    caseBreak: getComputedStyle(document.querySelector('article.case')!).breakBefore,
  }));
  expect(print).toEqual({ background: 'rgb(255, 255, 255)', caseBreak: 'page' });
  await reader.close();

  // One record's report has a name of its own.
  const item = historyItems(page).first();
  await item.locator('summary').click();
  const one = await download(page, item.getByRole('group', { name: 'Export this rewrite' }).getByRole('button', { name: 'Report (HTML)' }));
  expect(one.name).toMatch(/^vlmguard-case-is-b-bold-[a-z0-9-]+-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.html$/);
});

test('the Markdown export is a zip of report.md and the images it links', async ({ page }) => {
  await page.goto('/');
  await staticDefenceRewrite(page, 'What is on the table?');
  await staticDefenceRewrite(page, 'How far is the shore?');
  await openView(page, 'History');

  const zip = await download(page, exportAll(page, 'Markdown + images (zip)'));
  expect(zip.name).toMatch(/^vlmguard-report-.+Z\.zip$/);
  const files = unzipSync(new Uint8Array(zip.bytes));
  const markdown = strFromU8(files['report.md']!);
  expect(markdown).toContain('What is on the table?');
  expect(markdown).toContain('How far is the shore?');
  expect(markdown).not.toContain('base64');
  const links = [...markdown.matchAll(/!\[[^\]]*\]\((images\/[^)]+)\)/g)].map(([, path]) => path!);
  expect(links).toEqual(['images/1-scene.jpg', 'images/2-scene.jpg']);
  expect(Object.keys(files).sort()).toEqual([...links, 'report.md'].sort());
  for (const link of links) expect([...files[link]!.slice(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
});

test.describe('a report writer that cannot load', () => {
  // The offline shell's service worker would serve the chunk from its cache, out of page.route's reach.
  test.use({ serviceWorkers: 'block' });

  test('says so, keeps history, and the report works after a reload', async ({ page }) => {
    await page.route('**/assets/report-export-zip-*.js', (route) => route.abort('internetdisconnected'));
    await page.goto('/');
    await staticDefenceRewrite(page, 'What is on the table?');
    await openView(page, 'History');

    await exportAll(page, 'Markdown + images (zip)').click();
    await expect(historyRegion(page).getByRole('alert')).toContainText('Markdown + images (zip) could not be made');
    await expect(historyItems(page)).toHaveCount(1);

    await page.unroute('**/assets/report-export-zip-*.js');
    await page.reload();
    await openView(page, 'History');
    const zip = await download(page, exportAll(page, 'Markdown + images (zip)'));
    expect(strFromU8(unzipSync(new Uint8Array(zip.bytes))['report.md']!)).toContain('What is on the table?');
  });
});

test('a JSON export imports back into a fresh browser with the same entries, once', async ({ page, browser }) => {
  await page.goto('/');
  await staticDefenceRewrite(page, 'What is on the table?');
  await staticDefenceRewrite(page, 'How far is the shore?');
  await openView(page, 'History');
  const exported = await download(page, exportAll(page, 'JSON'));
  expect(exported.name).toMatch(/^vlmguard-history-.+Z\.json$/);
  const prompts = await historyItems(page).locator('.history-prompt').allTextContents();
  expect(prompts).toEqual(['How far is the shore?', 'What is on the table?']);

  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto('/');
  await openView(other, 'History');
  await expect(other.getByText('Nothing yet: finished rewrites appear here.')).toBeVisible();
  const file = { name: exported.name, mimeType: 'application/json', buffer: exported.bytes };
  await importFile(other, file);
  await expect(historyRegion(other).getByRole('status').filter({ hasText: 'Imported' })).toHaveText(`Imported 2 rewrites from ${exported.name}.`);
  await expect(historyItems(other).locator('.history-prompt')).toHaveText(prompts);

  // The same file again adds nothing, and the entries outlive a reload.
  await importFile(other, file);
  await expect(historyRegion(other).getByRole('status').filter({ hasText: 'Nothing new' })).toHaveText(
    `Nothing new in ${exported.name}: its 2 rewrites are already in history.`,
  );
  await other.reload();
  await openView(other, 'History');
  await expect(historyItems(other).locator('.history-prompt')).toHaveText(prompts);
  await fresh.close();
});

test('importing a file that is not a history export says what is wrong and changes nothing', async ({ page }) => {
  await page.goto('/');
  await staticDefenceRewrite(page, 'What is on the table?');
  await openView(page, 'History');
  const alert = historyRegion(page).getByRole('alert');

  await importFile(page, { name: 'x.png', mimeType: 'image/png', buffer: await drawPng(page, 8, 8) });
  await expect(alert).toContainText('x.png is not a VLMGuard history export');

  const exported = JSON.parse((await download(page, exportAll(page, 'JSON'))).bytes.toString('utf8'));
  exported.records[0].backend.kind = 'tpu';
  await importFile(page, { name: 'edited.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(exported)) });
  await expect(alert).toHaveText('edited.json, record 1: backend.kind is unknown. Nothing was imported.');

  await importFile(page, { name: 'empty.json', mimeType: 'application/json', buffer: Buffer.alloc(0) });
  await expect(alert).toContainText('empty.json is empty.');
  await expect(historyItems(page)).toHaveCount(1);
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`the history's export and import controls have no serious accessibility violations (${colorScheme} theme)`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await page.goto('/');
    await staticDefenceRewrite(page, 'What is on the table?');
    await openView(page, 'History');
    await historyItems(page).first().locator('summary').click();
    await expect(historyItems(page).first().getByRole('group', { name: 'Export this rewrite' })).toBeVisible();
    const exported = await download(page, exportAll(page, 'JSON'));
    await importFile(page, { name: exported.name, mimeType: 'application/json', buffer: exported.bytes });
    await expect(historyRegion(page).getByRole('status').filter({ hasText: 'Nothing new' })).toBeVisible();
    expect(await seriousViolations(page), 'after an import').toEqual([]);
    await importFile(page, { name: 'x.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await expect(historyRegion(page).getByRole('alert')).toBeVisible();
    expect(await seriousViolations(page), 'with an import error').toEqual([]);
  });
}
