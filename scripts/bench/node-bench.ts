import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NodeJob, NodeJobResult } from './node-runner.ts';

const RUNNER = fileURLToPath(new URL('./node-runner.ts', import.meta.url));

/** Runs one job in a fresh Node process (see node-runner.ts) and returns its records and peak RSS. */
export function runNodeJob(job: NodeJob, log: (line: string) => void): Promise<NodeJobResult> {
  return new Promise((resolve, reject) => {
    const child = fork(RUNNER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    child.on('message', (message: { log?: string; result?: NodeJobResult; error?: string }) => {
      if (message.log !== undefined) log(`  [node ${job.kind}] ${message.log}`);
      if (message.result) {
        settled = true;
        resolve(message.result);
      }
      if (message.error !== undefined) {
        settled = true;
        reject(new Error(`node ${job.kind} job failed: ${message.error}`));
      }
    });
    child.on('exit', (code) => {
      if (!settled) reject(new Error(`node ${job.kind} job exited with code ${code} before answering`));
    });
    child.send(job);
  });
}
