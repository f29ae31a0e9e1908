import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_IMAGE_BYTES } from '../../src/core/image-file-check.ts';
import { gradientPng, pngHeaderBomb, SVG_BYTES } from '../support/image-fixtures.ts';
import { TINY_MODEL_DIR } from '../support/tiny-model.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TSX = path.join(REPO, 'node_modules/.bin/tsx');

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'image-check-cli-'));
});

/** Runs `npm run rewrite` on a file written into a fresh folder; never rejects, so a test can read the exit code. */
async function rewriteImage(name: string, bytes: Uint8Array, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = path.join(workDir, name);
  await writeFile(file, bytes);
  return promisify(execFile)(TSX, ['scripts/rewrite.ts', '--image', file, '--prompt', 'What is this?', '--model', TINY_MODEL_DIR, '--offline', ...args], {
    cwd: REPO,
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

describe('npm run rewrite refuses what the app refuses, with the same message, and exit code 2', () => {
  it.each<[string, () => Promise<Uint8Array> | Uint8Array, string]>([
    ['logo.svg', () => SVG_BYTES, 'logo.svg is an SVG. Vector images are not accepted; use PNG, JPEG, WebP, GIF or BMP.'],
    ['disguised.png', () => SVG_BYTES, 'disguised.png is an SVG. Vector images are not accepted; use PNG, JPEG, WebP, GIF or BMP.'],
    ['huge.png', () => new Uint8Array(26 * 1024 * 1024), 'huge.png is 26.0 MB; the limit is 25 MB.'],
    ['bomb.png', () => pngHeaderBomb(100_000, 100_000), 'bomb.png is 100000×100000 (10000 megapixels); the limit is 50 megapixels. Scale it down first.'],
    ['notes.pdf', () => new TextEncoder().encode('%PDF-1.4'), 'notes.pdf is application/pdf, not an image this app can read. Use PNG, JPEG, WebP, GIF or BMP.'],
  ])('%s', async (name, bytes, message) => {
    expect(MAX_IMAGE_BYTES).toBeLessThan(26 * 1024 * 1024);
    const { code, stdout, stderr } = await rewriteImage(name, await bytes());
    expect(stderr.trim()).toBe(message);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });

  it('rewrites a 4000×2 strip, which the check accepts', async () => {
    const { code, stdout } = await rewriteImage('strip.png', await gradientPng(4000, 2), '--json', '--max-new-tokens', '8', '--no-constrain');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { generation: { tokenCount: number; image: unknown } };
    expect(result.generation.tokenCount).toBe(8);
    expect(result.generation.image).toEqual({ original: { width: 4000, height: 2 }, processed: { width: 512, height: 28 } });
  });
});
