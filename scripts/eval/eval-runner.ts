/**
 * One evaluation: load the datasets, run every item × method × target (and the strictness sweep), judge every
 * answer, and make the report. Every call goes through the call log, so an interrupted run resumes where it
 * stopped and a finished one re-reports without a call. A failed call after its retries leaves its error on the
 * result, which is kept and counted; a refused key (401/403) stops the run.
 */
import PQueue from 'p-queue';
import { loadHandLabels, judgeAgreement } from './agreement.ts';
import type { CallLog } from './call-log.ts';
import { loadDataset } from './datasets/load-dataset.ts';
import { EvalCalls } from './eval-calls.ts';
import type { EvalOptions } from './eval-options.ts';
import { endpointSettings, tally } from './endpoint-tallies.ts';
import { createEndpointClient, DEFAULT_RETRY_POLICY, EndpointAuthError, ImageDataUrls, type EndpointClient, type RetryPolicy } from './endpoint.ts';
import type { EndpointSpec, EvalItem, EvalReport, JudgedResult, LoadedDataset, MethodName, MethodResult } from './eval-types.ts';
import { JUDGE_RUBRIC_VERSION } from './judge.ts';
import { judgeAnswer } from './judge-answer.ts';
import type { MethodContext } from './methods/method-context.ts';
import { METHOD_RUNNERS } from './methods/methods.ts';
import { answerRewrite } from './methods/rewriter.ts';
import { computeRows, computeSweep } from './metrics.ts';
import { createProgress } from './progress.ts';
import { readRefusal, REFUSAL_RULE } from './refusal.ts';
import { decideRewriterOutput } from './rewriter-record.ts';
import { openRunCallLog } from './run-call-log.ts';
import { quotedImageText, resolveRewriterModel } from '../lib/node-rewriter.ts';
import {
  createImageTextSource,
  localRewriterSource,
  OCR_ENGINE_NAME,
  servedRewriterSource,
  type DisposableRewriterSource,
  type ImageTextSource,
} from './rewriter-sources.ts';

/** The datasets or the hand labels cannot be read (exit 2): the loader's message, as it gave it. */
export class EvalInputError extends Error {
  override readonly name = 'EvalInputError';
}


export interface EvalRun {
  report: EvalReport;
  /** Calls made by this run (not taken from the log), over every endpoint. */
  callsMade: number;
}

export async function runEvaluation(options: EvalOptions, say: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<EvalRun> {
  const started = performance.now();
  const datasets = await loadDatasets(options);
  for (const dataset of datasets) reportMissingImages(dataset, say);
  const items = datasets.flatMap((dataset) => dataset.items);
  const labels = options.handLabels === null ? null : await readInput(() => loadHandLabels(options.handLabels ?? ''));

  const log = await openRunCallLog(options.outDir, say);
  const calls = new EvalCalls(log);
  const images = new ImageDataUrls();
  const client = (spec: EndpointSpec) => createEndpointClient(spec, { images, timeoutMs: options.timeoutMs, retry: retryPolicy(options) });
  const targets = options.targets.map(client);
  const judge = client(options.judge);
  const guard = options.guard ? client(options.guard) : null;
  const imageText = createImageTextSource(log, options.ocr);
  const rewriterSetup = await createRewriterSource(options, { log, calls, images, imageText });
  const context: MethodContext = {
    calls,
    maxTokens: options.maxTokens,
    strictness: options.strictness,
    imageText: async (item) => quotedImageText(await imageText.outcome(item)),
    guard,
    rewriter: rewriterSetup?.source ?? null,
  };

  const mainTasks = items.flatMap((item) => options.methods.flatMap((method) => targets.map((target) => ({ item, method, target }))));
  const sweepTasks = options.sweep.flatMap((strictness) => items.flatMap((item) => targets.map((target) => ({ item, strictness, target }))));
  const progress = createProgress(mainTasks.length + sweepTasks.length, 'eval');
  const inFlight = 4 * options.targets.reduce((sum, target) => sum + target.concurrency, 0);
  const queue = new PQueue({ concurrency: inFlight });
  let fatal: unknown = null;
  const guarded = <T>(work: () => Promise<T>) =>
    queue.add(async () => {
      if (fatal !== null) return null;
      try {
        return await work();
      } catch (error) {
        // The tasks still queued see it and end at once (clearing the queue would leave their promises unsettled).
        fatal ??= error;
        return null;
      } finally {
        progress.tick();
      }
    });

  const judgeOne = (result: MethodResult, item: EvalItem) => judgeResult(result, item, judge, calls);
  const main = mainTasks.map(({ item, method, target }) =>
    guarded(async () => judgeOne(await runMethod(method, item, target, context), item)),
  );
  const sweep = sweepTasks.map(({ item, strictness, target }) =>
    guarded(async () => {
      const result = await sweepResult(item, target, strictness, context);
      return { strictness, judged: await judgeOne(result, item) };
    }),
  );
  const [mainResults, sweepResults] = await Promise.all([Promise.all(main), Promise.all(sweep)]);
  progress.stop();
  await Promise.all([rewriterSetup?.source.dispose(), imageText.dispose()]);
  await log.close();
  if (fatal !== null) throw fatal;

  const results = mainResults.filter((result): result is JudgedResult => result !== null && result !== undefined);
  const points = options.sweep.map((strictness) => ({
    strictness,
    results: sweepResults.flatMap((point) => (point && point.strictness === strictness ? [point.judged] : [])),
  }));
  const endpoints = [...targets, judge, ...(guard ? [guard] : []), ...(rewriterSetup?.client ? [rewriterSetup.client] : [])];
  const localNames = [...(rewriterSetup?.localName ? [rewriterSetup.localName] : []), ...(options.ocr ? [OCR_ENGINE_NAME] : [])];
  // An endpoint no method needed (a guard given but unused) has no answers to tell whether it is scripted.
  const asked = endpoints.filter((endpoint) => log.counts(endpoint.spec.name).calls + log.counts(endpoint.spec.name).cachedCalls > 0);
  const tallies = [...endpoints.map((endpoint) => tally(log, endpoint.spec.name, endpoint.spec)), ...localNames.map((name) => tally(log, name, null))];
  const report: EvalReport = {
    schemaVersion: 1,
    createdAt: new Date().toISOString(),
    settings: settingsOf(options, calls.allScripted(asked.map((endpoint) => endpoint.spec.name))),
    datasets: datasets.map((dataset) => ({ benchmark: dataset.benchmark, source: dataset.source, items: dataset.items.length, missingImages: dataset.missingImages })),
    rows: computeRows(results),
    sweep: computeSweep(points),
    agreement: labels ? judgeAgreement(results, labels) : null,
    tallies,
    throughput: {
      items: items.length,
      results: results.length + points.reduce((sum, point) => sum + point.results.length, 0),
      wallMs: Math.round(performance.now() - started),
      concurrency: Object.fromEntries([
        ...endpoints.map((endpoint) => [endpoint.spec.name, endpoint.spec.concurrency] as const),
        ...(rewriterSetup?.localName ? [[rewriterSetup.localName, 1] as const] : []),
      ]),
    },
    results,
  };
  return { report, callsMade: tallies.reduce((sum, entry) => sum + entry.calls, 0) };
}

async function loadDatasets(options: EvalOptions): Promise<LoadedDataset[]> {
  const datasets = await Promise.all(options.datasets.map((spec) => readInput(() => loadDataset(spec))));
  const limited = datasets.map((dataset) => (options.limit === null ? dataset : { ...dataset, items: dataset.items.slice(0, options.limit) }));
  const seen = new Set<string>();
  for (const item of limited.flatMap((dataset) => dataset.items)) {
    if (seen.has(item.id)) throw new EvalInputError(`Two datasets give the item ${item.id}: name them apart with --dataset NAME=FORMAT:PATH.`);
    seen.add(item.id);
  }
  return limited;
}

async function readInput<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new EvalInputError(error instanceof Error ? error.message : String(error));
  }
}

function reportMissingImages(dataset: LoadedDataset, say: (line: string) => void): void {
  if (dataset.missingImages.length === 0) return;
  const shown = dataset.missingImages.slice(0, 20).map((missing) => `  ${missing.id}: ${missing.image}`);
  const more = dataset.missingImages.length - shown.length;
  say([`${dataset.benchmark}: ${dataset.missingImages.length} items have no image file and are left out:`, ...shown, ...(more > 0 ? [`  … and ${more} more`] : [])].join('\n'));
}

function retryPolicy(options: EvalOptions): RetryPolicy {
  return { ...DEFAULT_RETRY_POLICY, retries: options.retries };
}

interface RewriterSetup {
  source: DisposableRewriterSource;
  client: EndpointClient | null;
  localName: string | null;
}

interface RunParts {
  log: CallLog;
  calls: EvalCalls;
  images: ImageDataUrls;
  imageText: ImageTextSource;
}

async function createRewriterSource(options: EvalOptions, { log, calls, images, imageText }: RunParts): Promise<RewriterSetup | null> {
  const choice = options.rewriter;
  if (!choice) return null;
  if (choice.kind === 'served') {
    const client = createEndpointClient(choice.endpoint, { images, timeoutMs: options.timeoutMs, retry: retryPolicy(options) });
    const source = servedRewriterSource({ calls, client, constraint: options.rewriterConstraint, imageText });
    return { source: { ...source, dispose: async () => undefined }, client, localName: null };
  }
  const model = await resolveRewriterModel(choice.model, choice.family);
  if (typeof model === 'string') throw new EvalInputError(`--rewriter: ${model}`);
  const localName = `rewriter (in-process: ${choice.model})`;
  return { source: localRewriterSource({ log, model, hubUrl: options.hubUrl, constrained: options.constrained, imageText, name: localName }), client: null, localName };
}

async function runMethod(method: MethodName, item: EvalItem, target: EndpointClient, context: MethodContext): Promise<MethodResult> {
  try {
    return await METHOD_RUNNERS[method](item, target, context);
  } catch (error) {
    if (error instanceof EndpointAuthError) throw error;
    return failedResult(item, method, target, error);
  }
}

async function sweepResult(item: EvalItem, target: EndpointClient, strictness: number, context: MethodContext): Promise<MethodResult> {
  try {
    const rewriter = context.rewriter;
    if (!rewriter) throw new Error('The sweep needs a rewriter.');
    const run = await rewriter.rewrite(item);
    const { record } = decideRewriterOutput(run.output, item.prompt, strictness, run.imageText);
    const result = await answerRewrite(item, target, context, record);
    return { ...result, usage: [...run.usage, ...result.usage] };
  } catch (error) {
    if (error instanceof EndpointAuthError) throw error;
    return failedResult(item, 'rewriter', target, error);
  }
}

function failedResult(item: EvalItem, method: MethodName, target: EndpointClient, error: unknown): MethodResult {
  return {
    itemId: item.id,
    method,
    target: target.spec.name,
    promptSent: null,
    answer: '',
    methodRefused: false,
    rewriter: null,
    notes: {},
    usage: [],
    error: error instanceof Error ? error.message : String(error),
  };
}

async function judgeResult(result: MethodResult, item: EvalItem, judge: EndpointClient, calls: EvalCalls): Promise<JudgedResult> {
  const judged: JudgedResult = {
    ...result,
    benchmark: item.benchmark,
    prompt: item.prompt,
    image: item.image,
    label: item.label,
    category: item.category,
    judge: { kind: 'unparseable', raw: '' },
    refusal: readRefusal(result.answer),
  };
  if (result.error !== null) return judged;
  try {
    return { ...judged, judge: await judgeAnswer(calls, judge, item, result.answer) };
  } catch (error) {
    if (error instanceof EndpointAuthError) throw error;
    return { ...judged, error: `judge: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function settingsOf(options: EvalOptions, scripted: boolean): Record<string, unknown> {
  const rewriter = options.rewriter;
  return {
    scripted,
    methods: options.methods,
    targets: options.targets.map(endpointSettings),
    judge: endpointSettings(options.judge),
    judgeRubricVersion: JUDGE_RUBRIC_VERSION,
    guard: options.guard ? endpointSettings(options.guard) : null,
    rewriter:
      rewriter === null
        ? null
        : rewriter.kind === 'served'
          ? { kind: 'served', ...endpointSettings(rewriter.endpoint), constraint: options.rewriterConstraint }
          : { kind: 'in-process', model: rewriter.model, constrained: options.constrained },
    ocr: options.ocr,
    strictness: options.strictness,
    sweep: options.sweep,
    maxTokens: options.maxTokens,
    limit: options.limit,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    refusalRule: REFUSAL_RULE,
  };
}
