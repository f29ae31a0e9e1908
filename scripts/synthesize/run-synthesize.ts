/**
 * `npm run synthesize`: VLMGuard-R1's data synthesis with a teacher VLM, into SFT records in the rewriter's own
 * format and trainer exports, resumable. Flags: SYNTHESIZE_HELP in synthesize-options.ts, or `-- --help`.
 */
import path from 'node:path';
import { EvalArgumentError } from '../eval/eval-options.ts';
import { EvalInputError } from '../eval/eval-runner.ts';
import { fail, runMain } from '../lib/run-main.ts';
import { SYNTHESIZE_HELP, parseSynthesizeOptions } from './synthesize-options.ts';
import { runSynthesis, type SynthesisRun } from './synthesis-runner.ts';
import { TrainerExportError } from './trainer-exports.ts';

async function main(): Promise<number> {
  const options = parseSynthesizeOptions(process.argv.slice(2));
  if (options === 'help') return void console.log(SYNTHESIZE_HELP), 0;

  const run = await runSynthesis(options);
  console.error(summary(run, options.outDir));
  if (run.failed.length === 0) return 0;
  const shown = run.failed.slice(0, 20).map((item) => `  ${item.id}: ${item.error}`);
  return fail([`${run.failed.length} items failed after every retry and are in neither file; run the same command again to retry them:`, ...shown].join('\n'), 1);
}

function summary(run: SynthesisRun, outDir: string): string {
  const byStage = new Map<string, number>();
  for (const rejection of run.rejections) byStage.set(rejection.stage, (byStage.get(rejection.stage) ?? 0) + 1);
  const stages = [...byStage].map(([stage, count]) => `${count} at ${stage}`).join(', ');
  const tallies = run.tallies.map(
    (tally) =>
      `  ${tally.endpoint}: ${tally.calls} calls (${tally.failedCalls} failed), ${tally.cachedCalls} reused (from the log or a call in flight), ` +
      `${tally.promptTokens} prompt + ${tally.completionTokens} completion tokens${tally.costUsd === null ? '' : `, $${tally.costUsd.toFixed(4)}`}`,
  );
  return [
    `${run.items} items: ${run.records.length} records, ${run.rejections.length} rejected${stages ? ` (${stages})` : ''} in ${(run.wallMs / 1000).toFixed(1)} s; ${run.callsMade} calls made.`,
    ...tallies,
    `Records, rejections, settings and the call log in ${outDir}${run.settings['scripted'] === true ? ' (scripted test endpoints)' : ''}; trainer exports: ${run.exports.map((file) => path.relative(outDir, file)).join(', ')}.`,
  ].join('\n');
}

runMain(main, { argument: { error: EvalArgumentError, help: 'npm run synthesize -- --help' }, input: [EvalInputError, TrainerExportError] });
