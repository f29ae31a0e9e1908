import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface StartedCli {
  child: ChildProcess;
  done: Promise<CliRun>;
}

/**
 * A script of the repository as a child process (one process: node with tsx's loader, so a kill ends the run
 * itself): `start` gives the child and its run, `run` waits for the run.
 */
export function repoScript(script: string) {
  const start = (args: string[]): StartedCli => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const done = new Promise<CliRun>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
    return { child, done };
  };
  return { start, run: (args: string[]) => start(args).done };
}

/** Kills a started run once `file` (its call log) holds `lines` lines, or `timeoutMs` on; the lines it holds then. */
export async function killWhenLogged(started: StartedCli, file: string, lines: number, timeoutMs: number): Promise<number> {
  const logged = () => readFile(file, 'utf8').then((text) => text.split('\n').length - 1, () => 0);
  for (let waited = 0; waited < timeoutMs && (await logged()) < lines; waited += 50) await delay(50);
  started.child.kill('SIGKILL');
  await started.done;
  return logged();
}

/** `--help` exits 0 and names every flag. */
export async function expectHelpNamesFlags(run: (args: string[]) => Promise<CliRun>, flags: object): Promise<void> {
  const help = await run(['--help']);
  expect(help.code).toBe(0);
  for (const flag of Object.keys(flags)) expect(help.stdout).toContain(`--${flag}`);
}
