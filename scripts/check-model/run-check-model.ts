/**
 * `npm run check-model -- FOLDER|HUB_ID`: does a candidate rewriter (a fine-tuned one, say) drop in? Its files and
 * dtypes against the catalog's recipes, then the built-in probes unconstrained and constrained, and a verdict.
 * Flags: CHECK_MODEL_HELP in check-model-options.ts, or `npm run check-model -- --help`.
 */
import { describeLoadError } from '../../src/core/load-error-message.ts';
import { errorMessage, errorName } from '../../src/core/error-facts.ts';
import { MODELS_DIR, createNodeRewriter, type NodeRewriter } from '../lib/node-rewriter.ts';
import { createProgress } from '../eval/progress.ts';
import { fail, runMain } from '../lib/run-main.ts';
import { resolveCandidate } from './candidate.ts';
import type { CheckModelReport } from './check-model-report.ts';
import { renderCheckModelText } from './check-model-report.ts';
import { CHECK_MODEL_HELP, CheckModelArgumentError, parseCheckModelOptions } from './check-model-options.ts';
import { ModelFolderError } from './model-files.ts';
import { PROBE_CASES } from './probe-set.ts';
import { levelSpread, PROBE_MODES, summarizeMode } from './probe-summary.ts';
import { runProbes } from './run-probes.ts';
import { decideVerdict, VERDICT_THRESHOLDS } from './verdict.ts';

async function main(): Promise<number> {
  const options = parseCheckModelOptions(process.argv.slice(2));
  if (options === 'help') return void console.log(CHECK_MODEL_HELP), 0;

  const candidate = await resolveCandidate(options.model, options.family, options.hubUrl);
  const { model } = candidate;

  let rewriter: NodeRewriter;
  try {
    rewriter = await createNodeRewriter({ model, hubUrl: options.hubUrl, maxNewTokens: options.maxNewTokens });
  } catch (error) {
    const failure = { name: errorName(error), message: errorMessage(error) };
    return fail(describeLoadError(failure, model.id, { localPath: MODELS_DIR, hubUrl: options.hubUrl }), 1);
  }

  const progress = createProgress(PROBE_CASES.length * PROBE_MODES.length, 'check-model');
  let probes;
  try {
    probes = await runProbes(rewriter, PROBE_CASES, { strictness: options.strictness, ocr: options.ocr }, () => progress.tick());
  } finally {
    progress.stop();
    await rewriter.dispose();
  }

  const modes = { unconstrained: summarizeMode(probes, 'unconstrained'), constrained: summarizeMode(probes, 'constrained') };
  const { plan, loadMs } = rewriter.loaded;
  const report: CheckModelReport = {
    model: { given: options.model, id: model.id, family: model.family, folder: candidate.folder },
    files: candidate.files && candidate.recipes ? { ...candidate.files, recipes: candidate.recipes } : null,
    filesNote: candidate.filesNote,
    load: { ms: loadMs, backend: plan.backend, dtypes: plan.dtypes },
    settings: { maxNewTokens: options.maxNewTokens, strictness: options.strictness, ocr: options.ocr },
    thresholds: VERDICT_THRESHOLDS,
    modes,
    levelSpread: levelSpread(probes),
    verdict: decideVerdict(modes),
    probes,
  };
  console.log(options.json ? JSON.stringify(report, null, 2) : renderCheckModelText(report));
  return 0;
}

runMain(main, { argument: { error: CheckModelArgumentError, help: 'npm run check-model -- --help' }, input: [ModelFolderError] });
