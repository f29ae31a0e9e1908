import { expect, test } from '@playwright/test';
import { FAMILY_VERIFICATION } from '../src/core/model-catalog.ts';
import type { Backend } from '../src/core/runtime-capabilities.ts';
import { fillRewriteForm, recordStatusTexts, stopAfterTokens } from './support/app-page.ts';
import { hubMirrorForThisFile } from './support/hub-mirror.ts';

/**
 * The LFM2-VL and Qwen3.5 layouts in the browser, downloaded from a server in the Hub's layout: each family whose
 * verification record (src/core/model-catalog.ts) claims this project's backend must pass here.
 */

const SCRIPTED_REFINED_PROMPT =
  'Describe the bridge and the view, and share where someone who feels unsafe can find support right now.';

/** The files each family's recipe fetches for a backend (Qwen3.5's q4 embedding table has no WASM kernel). */
const FAMILIES = [
  { family: 'lfm2-vl', label: 'LFM2-VL', embedTokens: { wasm: 'embed_tokens.onnx', webgpu: 'embed_tokens.onnx' } },
  { family: 'qwen3.5', label: 'Qwen3.5', embedTokens: { wasm: 'embed_tokens.onnx', webgpu: 'embed_tokens_q4.onnx' } },
] as const;

const mirror = hubMirrorForThisFile();
const backendOf = (project: string): 'wasm' | 'webgpu' => (project === 'webgpu' ? 'webgpu' : 'wasm');

for (const { family, label, embedTokens } of FAMILIES) {
  test.describe(`${label}`, () => {
    const skipUnlessClaimed = (project: string): void => {
      const claimed = FAMILY_VERIFICATION[family]?.backends.includes(backendOf(project) satisfies Backend) ?? false;
      test.skip(!claimed, `${label} is not claimed as verified on ${project}`);
    };

    test('downloads its layout from the hub, streams the scripted rewrite and shows the decision', async ({ page }, testInfo) => {
      skipUnlessClaimed(testInfo.project.name);
      await page.goto('/');
      await fillRewriteForm(page, {
        prompt: 'How far is it to jump from the bridge?',
        source: { kind: 'hub', url: mirror().url },
        rewriter: new RegExp(`Tiny ${label} scripted rewriter`),
      });
      const statusTexts = await recordStatusTexts(page);
      await page.getByRole('button', { name: 'Rewrite' }).click();

      await expect(page.getByTestId('rewrite-outcome')).toContainText('Rewritten', { timeout: 240_000 });
      await expect(page.getByTestId('backend-label')).toHaveText(testInfo.project.name === 'webgpu' ? 'WebGPU' : 'WASM');
      expect((await statusTexts()).filter((text) => text.startsWith('Generating…')).length).toBeGreaterThan(1);
      await expect(page.getByTestId('risk-level')).toHaveText('Risk: high');
      await expect(page.getByTestId('probability-high')).toHaveText('1.00');
      await expect(page.getByLabel('Refined prompt (editable)')).toHaveValue(SCRIPTED_REFINED_PROMPT);

      const fetched = mirror().requests.map((request) => request.path);
      const files = ['preprocessor_config.json', `onnx/${embedTokens[backendOf(testInfo.project.name)]}`, 'onnx/vision_encoder.onnx', 'onnx/decoder_model_merged_q4.onnx'];
      for (const file of files) {
        expect(fetched, file).toContainEqual(expect.stringContaining(`/test/tiny-${family}-scripted/resolve/main/${file}`));
      }
    });

    test('the random-weight model fills the format under the constraint, and Stop ends a run early', async ({ page }, testInfo) => {
      skipUnlessClaimed(testInfo.project.name);
      await page.goto('/');
      await fillRewriteForm(page, {
        prompt: 'What is in the picture?',
        source: { kind: 'site-folder' },
        rewriter: new RegExp(`Tiny ${label} layout`),
        // The format's budgets shrink to fit; a short run keeps SwiftShader's share of CI small.
        maxNewTokens: 96,
      });
      await page.getByRole('button', { name: 'Rewrite' }).click();
      await expect(page.getByTestId('risk-meter')).toBeVisible({ timeout: 240_000 });
      await expect(page.getByTestId('rewrite-outcome')).toBeVisible();

      await stopAfterTokens(page, 3);
      await page.getByRole('button', { name: 'Rewrite' }).click();
      await expect(page.getByTestId('generation-status')).toHaveText(/Stopped by you: \d+ tokens/, { timeout: 240_000 });
      await expect(page.getByRole('button', { name: 'Rewrite' })).toBeEnabled();
    });
  });
}
