/**
 * `npm run eval`: the paper's evaluation (safety and helpfulness, with and without the rewriter, against baselines,
 * over several targets and benchmarks), resumable. Flags: EVAL_HELP in eval-options.ts, or `npm run eval -- --help`.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EvalArgumentError, EVAL_HELP, parseEvalOptions } from './eval-options.ts';
import { EvalInputError, runEvaluation } from './eval-runner.ts';
import { renderEvalHtml } from './report-html.ts';
import { renderEvalMarkdown } from './report-markdown.ts';
import { runMain } from '../lib/run-main.ts';

async function main(): Promise<number> {
  const options = parseEvalOptions(process.argv.slice(2));
  if (options === 'help') return void console.log(EVAL_HELP), 0;

  const run = await runEvaluation(options);
  const { report } = run;
  const out = (name: string) => path.join(options.outDir, name);
  await writeFile(out('report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(out('report.md'), renderEvalMarkdown(report));
  await writeFile(out('report.html'), await renderEvalHtml(report));
  const { items, results, wallMs } = report.throughput;
  const errors = report.rows.filter((row) => row.benchmark === 'all').reduce((sum, row) => sum + row.errors, 0);
  console.error(
    `${items} items, ${results} results (${errors} with errors) in ${(wallMs / 1000).toFixed(1)} s; ${run.callsMade} calls made. ` +
      `Reports in ${options.outDir}${report.settings['scripted'] === true ? ' (scripted test endpoints)' : ''}.`,
  );
  return 0;
}

runMain(main, { argument: { error: EvalArgumentError, help: 'npm run eval -- --help' }, input: [EvalInputError] });
