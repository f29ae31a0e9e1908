import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TSX = path.join(REPO, 'node_modules/.bin/tsx');

/** Runs the CLI and resolves with its exit code and output, whatever the code. */
function rewrite(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, ['scripts/rewrite.ts', ...args], { cwd: REPO }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run rewrite: bad arguments', () => {
  it('an unknown flag exits 2 (bad arguments) with the flag named and the usage', async () => {
    const { code, stderr } = await rewrite('--bogus');
    expect(code).toBe(2);
    expect(stderr).toContain('--bogus');
    expect(stderr).toContain('Usage: npm run rewrite --');
  });

  it('a value missing after a flag that needs one exits 2 with the usage', async () => {
    const { code, stderr } = await rewrite('--raw-output');
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: npm run rewrite --');
  });

  it('a stray positional argument exits 2 with the usage', async () => {
    const { code, stderr } = await rewrite('photo.jpg');
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: npm run rewrite --');
  });
});
