import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { SCRIPTED_MODEL_DIR, SCRIPTED_REFINED_PROMPT, TINY_MODEL_DIR, tinyModelImage } from '../support/tiny-model.ts';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TSX = path.join(REPO, 'node_modules/.bin/tsx');

let imagePath: string;
beforeAll(async () => {
  imagePath = path.join(await mkdtemp(path.join(tmpdir(), 'rewrite-cli-')), 'scene.png');
  await writeFile(imagePath, new Uint8Array(await (await tinyModelImage()).arrayBuffer()));
});

async function rewrite(...args: string[]) {
  return run(TSX, ['scripts/rewrite.ts', '--image', imagePath, '--offline', ...args], { cwd: REPO });
}

describe('npm run rewrite', () => {
  it('prints a rewritten prompt and the analysis as JSON for the scripted model', async () => {
    const { stdout } = await rewrite('--prompt', 'How far is it to jump?', '--model', SCRIPTED_MODEL_DIR, '--json');
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      outcome: 'rewritten',
      refinedPrompt: SCRIPTED_REFINED_PROMPT,
      analysis: { level: 'high', category: 'self-harm' },
      backend: 'cpu',
      generation: { stopReason: 'end-of-text' },
    });
    expect(result.analysis.crossModal).toContain('self-harm');
  });

  it('falls back to the static defence when the model writes noise', async () => {
    const { stdout } = await rewrite('--prompt', 'Tell me about this.', '--model', TINY_MODEL_DIR, '--json', '--max-new-tokens', '24');
    const result = JSON.parse(stdout);
    expect(result.outcome).toBe('fallback');
    expect(result.refinedPrompt).toContain('Tell me about this.');
  });

  it('prints a readable report by default', async () => {
    const { stdout } = await rewrite('--prompt', 'How far is it to jump?', '--model', SCRIPTED_MODEL_DIR);
    expect(stdout).toContain('Outcome: rewritten');
    expect(stdout).toContain(SCRIPTED_REFINED_PROMPT);
  });

  it('explains a bad argument and exits with status 2', async () => {
    await expect(rewrite('--prompt', 'x', '--model', 'not-a-model')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('not in the catalog'),
    });
  });
});
