import { expect, test } from '@playwright/test';
import { startOpenAiTestServer, type OpenAiTestServer, type OpenAiTestServerMode } from '../scripts/openai-test-server.ts';
import { fillRewriteForm, SCRIPTED_MODEL_LABEL } from './support/app-page.ts';
import { FAULT_ANNOTATION } from './support/fault-table-reporter.ts';

/*
 * Fault injection, remote side: the remote VLM fails in each way a real one does; the user is told what happened,
 * the rewrite, the prompt and the image stay, and the next send works. Timeouts (2 minutes before the first byte)
 * are covered against the same server in test/integration/remote-client.test.ts.
 */

const PROMPT = 'How far is it to jump from the bridge?';
let server: OpenAiTestServer;

test.beforeAll(async () => {
  server = await startOpenAiTestServer();
});
test.afterAll(async () => {
  await server.close();
});

const FAULTS: ReadonlyArray<{ mode: OpenAiTestServerMode; fault: string; told: RegExp; summary: string }> = [
  { mode: 'unauthorized', fault: 'remote 401', told: /needs an API key \(401\)|rejected the API key \(401\)/, summary: '"… needs an API key (401)"' },
  { mode: 'server-error', fault: 'remote 5xx', told: /had an internal error \(500\)/, summary: '"… had an internal error (500). Try again in a moment."' },
  { mode: 'drop-mid-stream', fault: 'network drop mid-send', told: /connection to .* broke before the answer was complete/, summary: '"The connection to … broke …; the part that arrived is kept"' },
  { mode: 'malformed-json', fault: 'malformed stream', told: /cannot read|error in the middle of the answer/, summary: '"… sent an answer this app cannot read"' },
  { mode: 'not-sse', fault: 'not an API (HTML answer)', told: /cannot read|base URL/, summary: '"… check that the base URL is the root of an OpenAI-compatible API"' },
];

test.beforeEach(async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'wasm', 'remote faults do not depend on the backend');
  server.setMode('ok');
  await page.goto('/');
  await fillRewriteForm(page, { prompt: PROMPT, source: { kind: 'site-folder' }, rewriter: SCRIPTED_MODEL_LABEL });
  await page.getByRole('button', { name: 'Rewrite' }).click();
  await expect(page.getByTestId('rewrite-outcome')).toContainText('Rewritten');
  const panel = page.getByRole('region', { name: 'Send to a remote VLM' });
  await panel.getByLabel('Endpoint').selectOption({ label: 'Custom (OpenAI-compatible)' });
  await panel.getByLabel('Base URL').fill(server.url);
  await panel.getByLabel('Remote model').fill('test-vlm');
  // The first send to an endpoint shows what leaves the device; confirm it once, on a good answer.
  await panel.getByRole('button', { name: 'Send refined prompt' }).click();
  await page.getByRole('region', { name: 'What will be sent' }).getByRole('button', { name: 'Send it' }).click();
  await expect(page.getByTestId('remote-answer-refined')).toContainText('Echo from test-vlm');
});

for (const { mode, fault, told, summary } of FAULTS) {
  test(`the remote VLM fails: ${fault}`, async ({ page }) => {
    test.info().annotations.push({ type: FAULT_ANNOTATION, description: `${fault} | ${summary} | the rewrite, prompt, image, history; the next send works` });
    const panel = page.getByRole('region', { name: 'Send to a remote VLM' });
    server.setMode(mode, { times: 1 });
    await panel.getByRole('button', { name: 'Send refined prompt' }).click();
    await expect(panel.getByRole('alert')).toContainText(told);
    await expect(page.getByTestId('rewrite-outcome')).toContainText('Rewritten');
    await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue(PROMPT);
    await expect(page.getByTestId('image-caption')).toBeVisible();

    await panel.getByRole('button', { name: 'Send refined prompt' }).click();
    await expect(page.getByTestId('remote-answer-refined')).toContainText('Echo from test-vlm');
    await expect(panel.getByRole('alert')).toHaveCount(0);
  });
}
