import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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

describe('npm run rewrite: --reasoning', () => {
  it('refuses a mode it does not know, with status 2 and the modes it does', async () => {
    const { code, stderr } = await rewrite('--reasoning', 'deep', '--raw-output', 'x.txt');
    expect(code).toBe(2);
    expect(stderr).toContain('--reasoning must be one of full, brief, off.');
  });

  it('decides a saved brief output with its one analysis, and says which mode it was in the JSON and the report', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rewrite-reasoning-'));
    const saved = path.join(dir, 'brief.txt');
    await writeFile(
      saved,
      '[RISK ANALYSIS] A jump from a bridge suggests self-harm.\n[RISK LEVEL] high\n[CATEGORY] self-harm\n' +
        '[REFINED PROMPT] Where can someone who feels unsafe get support?\n[END]',
    );
    const args = ['--raw-output', saved, '--prompt', 'How far is it to jump?', '--reasoning', 'brief'];
    const json = JSON.parse((await rewrite(...args, '--json')).stdout);
    expect(json).toMatchObject({ reasoning: 'brief', outcome: 'rewritten', analysis: { summary: 'A jump from a bridge suggests self-harm.', level: 'high' } });
    const { stdout } = await rewrite(...args);
    expect(stdout).toContain('Reasoning: brief — ');
    expect(stdout).toContain('[RISK ANALYSIS] A jump from a bridge suggests self-harm.');
    expect(stdout).not.toContain('[TEXT RISK]');
    await rm(dir, { recursive: true, force: true });
  });
});
