import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { imagesInRequest, startOpenAiTestServer, type OpenAiTestServer } from '../scripts/openai-test-server.ts';
import { inspectImage } from '../scripts/lib/inspect-image.ts';
import { SCRIPTED_MODEL_LABEL, fillRewriteForm, openView } from './support/app-page.ts';

const API_KEY = 'sk-test-0123456789-secret';
let server: OpenAiTestServer;

test.beforeAll(async () => {
  server = await startOpenAiTestServer();
});
test.afterAll(async () => {
  await server.close();
});
test.beforeEach(() => {
  server.setMode('ok');
  server.requests.length = 0;
});

/** A 1600×1200 JPEG carrying EXIF GPS tags, as a phone photo would. */
async function photoWithGps(): Promise<Buffer> {
  const photo = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#3a7bd5' } })
    .jpeg()
    .withExif({ IFD0: { Make: 'TestPhone' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
    .toBuffer();
  expect(inspectImage(photo).hasExif).toBe(true);
  return photo;
}

async function rewriteWithPhoto(page: Page): Promise<void> {
  await page.goto('/');
  await fillRewriteForm(page, { prompt: 'How far is it to jump from the bridge?', source: { kind: 'site-folder' }, rewriter: SCRIPTED_MODEL_LABEL });
  await page.getByLabel('Image', { exact: true }).setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: await photoWithGps() });
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toContainText('Rewritten');
}

async function useTestEndpoint(page: Page): Promise<void> {
  const panel = page.getByRole('region', { name: 'Send to a remote VLM' });
  await panel.getByLabel('Endpoint').selectOption({ label: 'Custom (OpenAI-compatible)' });
  await panel.getByLabel('Base URL').fill(server.url);
  await panel.getByLabel('Remote model').fill('test-vlm');
  await panel.getByLabel(/API key/).fill(API_KEY);
}

test('previews the payload, then sends the refined prompt with a clean, downscaled image', async ({ page }) => {
  await rewriteWithPhoto(page);
  await useTestEndpoint(page);
  const panel = page.getByRole('region', { name: 'Send to a remote VLM' });
  await panel.getByRole('button', { name: 'Send refined prompt' }).click();

  const preview = page.getByRole('region', { name: 'What will be sent' });
  await expect(preview.getByTestId('payload-summary')).toContainText(`Sends to: ${new URL(server.url).host}`);
  await expect(preview.getByTestId('payload-summary')).toContainText('Model: test-vlm');
  await expect(preview.getByTestId('payload-summary')).toContainText('Image: JPEG 1024×768');
  expect(server.chatRequests()).toHaveLength(0);
  await preview.getByRole('button', { name: 'Send it' }).click();

  await expect(page.getByTestId('remote-answer-refined')).toContainText('Echo from test-vlm: "Describe the bridge and the view');
  await expect(page.getByTestId('remote-status-refined')).toHaveText(/Done in/);
  const [request] = server.chatRequests();
  const [image] = imagesInRequest(request!);
  expect(image).toMatchObject({ format: 'jpeg', width: 1024, height: 768, hasExif: false, hasXmp: false, trailingBytes: 0 });
  expect(request!.headers.authorization).toBe(`Bearer ${API_KEY}`);
  const elsewhere = JSON.stringify({ url: request!.url, body: request!.rawBody, headers: { ...request!.headers, authorization: '' } });
  expect(elsewhere).not.toContain(API_KEY);
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  expect(stored).not.toContain(API_KEY);
});

test('compare mode streams the answers to both prompts side by side and keeps them in history', async ({ page }) => {
  await rewriteWithPhoto(page);
  await useTestEndpoint(page);
  const panel = page.getByRole('region', { name: 'Send to a remote VLM' });
  await panel.getByRole('button', { name: 'Compare original and refined' }).click();
  await page.getByRole('region', { name: 'What will be sent' }).getByRole('button', { name: 'Send it' }).click();

  await expect(page.getByTestId('remote-answer-original')).toContainText('Echo from test-vlm: "How far is it to jump from the');
  await expect(page.getByTestId('remote-answer-refined')).toContainText('Echo from test-vlm: "Describe the bridge');
  await expect(page.getByTestId('remote-status-original')).toHaveText(/Done in/);
  await expect(page.getByTestId('remote-status-refined')).toHaveText(/Done in/);
  expect(server.chatRequests()).toHaveLength(2);

  // The endpoint is confirmed now: the next send goes without a preview.
  await panel.getByRole('button', { name: 'Send refined prompt' }).click();
  await expect.poll(() => server.chatRequests().length).toBe(3);
  await expect(page.getByRole('region', { name: 'What will be sent' })).toHaveCount(0);

  await openView(page, 'History');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('region', { name: 'History' }).getByRole('group', { name: 'Export all' }).getByRole('button', { name: 'JSON' }).click()]);
  const exported = await import('node:fs/promises').then((fs) => download.path().then((path) => fs.readFile(path!, 'utf8')));
  expect(JSON.parse(exported).records[0].remote).toMatchObject({ model: 'test-vlm', refined: { error: null } });
  expect(exported).not.toContain(API_KEY);
});

test('an endpoint that refuses this page (CORS) gets a message with the fix, and the rewrite stays', async ({ page }) => {
  await rewriteWithPhoto(page);
  await useTestEndpoint(page);
  server.setMode('no-cors');
  const panel = page.getByRole('region', { name: 'Send to a remote VLM' });
  await panel.getByRole('button', { name: 'Send refined prompt' }).click();
  await page.getByRole('region', { name: 'What will be sent' }).getByRole('button', { name: 'Send it' }).click();
  const error = page.getByTestId('remote-answer-refined').getByRole('alert');
  await expect(error).toContainText(/CORS|cross-origin/i);
  await expect(error).toContainText('Access-Control-Allow-Origin');
  await expect(page.getByTestId('rewrite-outcome')).toContainText('Rewritten');
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('How far is it to jump from the bridge?');
});

test('the page’s Content-Security-Policy blocks endpoints this deployment did not allow, with a message that says so', async ({ page }) => {
  await rewriteWithPhoto(page);
  const policy = (await page.request.get('/')).headers()['content-security-policy'];
  expect(policy).toContain("'wasm-unsafe-eval'");
  expect(policy).not.toContain("'unsafe-eval'");

  await useTestEndpoint(page);
  const panel = page.getByRole('region', { name: 'Send to a remote VLM' });
  await panel.getByLabel('Base URL').fill('https://vlm.not-allowed.example/v1');
  await panel.getByRole('button', { name: 'Send refined prompt' }).click();
  await page.getByRole('region', { name: 'What will be sent' }).getByRole('button', { name: 'Send it' }).click();
  await expect(page.getByTestId('remote-answer-refined').getByRole('alert')).toContainText(/Content-Security-Policy|security policy/i);
});

async function exportedRecords(page: Page): Promise<Array<{ prompt: string; remote?: { refined: { text: string } | null } }>> {
  await openView(page, 'History');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('region', { name: 'History' }).getByRole('group', { name: 'Export all' }).getByRole('button', { name: 'JSON' }).click()]);
  const fs = await import('node:fs/promises');
  return JSON.parse(await fs.readFile((await download.path())!, 'utf8')).records;
}

test('an answer lands on the rewrite it was sent for, even when a new rewrite finishes while it streams', async ({ page }) => {
  await rewriteWithPhoto(page);
  await useTestEndpoint(page);
  server.setMode('slow-stream', { delayMs: 400 });
  const panel = page.getByRole('region', { name: 'Send to a remote VLM' });
  await panel.getByRole('button', { name: 'Send refined prompt' }).click();
  await page.getByRole('region', { name: 'What will be sent' }).getByRole('button', { name: 'Send it' }).click();
  await expect(page.getByTestId('remote-answer-refined')).toContainText('Echo from');

  // A second rewrite, with another prompt, while the answer to the first is still streaming.
  await page.getByLabel('Prompt', { exact: true }).fill('What is the weather like on the bridge?');
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await openView(page, 'History');
  await expect(page.getByRole('region', { name: 'History' }).getByRole('listitem')).toHaveCount(2);

  const answerOf = async (prompt: string) => (await exportedRecords(page)).find((record) => record.prompt === prompt)?.remote?.refined?.text ?? '';
  await expect.poll(() => answerOf('How far is it to jump from the bridge?'), { timeout: 30_000 }).toContain('Echo from test-vlm');
  expect(await answerOf('What is the weather like on the bridge?')).toBe('');
});

test('an error from one endpoint or model goes away when the endpoint or the model changes', async ({ page }) => {
  await rewriteWithPhoto(page);
  await useTestEndpoint(page);
  const panel = page.getByRole('region', { name: 'Send to a remote VLM' });

  server.setMode('server-error');
  await panel.getByRole('button', { name: 'Send refined prompt' }).click();
  await page.getByRole('region', { name: 'What will be sent' }).getByRole('button', { name: 'Send it' }).click();
  await expect(page.getByTestId('remote-answer-refined').getByRole('alert')).toContainText('500');
  await panel.getByLabel('Remote model').fill('test-vlm-large');
  await expect(panel.getByRole('alert')).toHaveCount(0);

  await panel.getByLabel('Remote model').fill('');
  await panel.getByRole('button', { name: 'Send refined prompt' }).click();
  await expect(panel.getByRole('alert')).toContainText('Enter the name of the model');
  await panel.getByLabel('Remote model').fill('test-vlm');
  await expect(panel.getByRole('alert')).toHaveCount(0);
});
