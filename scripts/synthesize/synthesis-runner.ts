/**
 * One synthesis run: load the datasets, take every item through the stages (synthesize-item.ts) with bounded
 * concurrency, write records.jsonl and rejections.jsonl in the datasets' order, settings.json and the trainer
 * exports. Every teacher, target, judge (and OCR) call goes through the evaluation's call log, so a killed run
 * resumes where it stopped and a finished one re-runs without a call. A refused key (401/403) stops the run.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import PQueue from 'p-queue';
import { loadDataset } from '../eval/datasets/load-dataset.ts';
import { EvalCalls } from '../eval/eval-calls.ts';
import { EvalInputError } from '../eval/eval-runner.ts';
import { openRunCallLog } from '../eval/run-call-log.ts';
import type { EndpointSpec, EndpointTally, EvalItem } from '../eval/eval-types.ts';
import { endpointSettings, tally } from '../eval/endpoint-tallies.ts';
import { createEndpointClient, DEFAULT_RETRY_POLICY, EndpointAuthError, ImageDataUrls, type EndpointClient } from '../eval/endpoint.ts';
import { JUDGE_RUBRIC_VERSION } from '../eval/judge.ts';
import { createProgress } from '../eval/progress.ts';
import { createImageTextSource, OCR_ENGINE_NAME } from '../eval/rewriter-sources.ts';
import { quotedImageText } from '../lib/node-rewriter.ts';
import type { SftRecord, SftRejection } from './sft-record.ts';
import type { SynthesizeOptions } from './synthesize-options.ts';
import { synthesizeItem, type ItemSynthesis } from './synthesize-item.ts';
import type { SynthesisContext } from './synthesis-context.ts';
import { writeTrainerExports } from './trainer-exports.ts';

export const RECORDS_FILE = 'records.jsonl';
export const REJECTIONS_FILE = 'rejections.jsonl';
/** The settings shown in the dataset card, beside the records for export-records.ts to show again on a re-export. */
export const SETTINGS_FILE = 'settings.json';

export interface SynthesisRun {
  records: SftRecord[];
  rejections: SftRejection[];
  /** Items whose calls failed after every retry: neither a record nor a rejection; the next run tries them again. */
  failed: Array<{ id: string; error: string }>;
  items: number;
  tallies: EndpointTally[];
  /** Calls made by this run (not taken from the log), over every endpoint. */
  callsMade: number;
  /** The files the trainer exports wrote. */
  exports: string[];
  settings: Record<string, unknown>;
  wallMs: number;
}

export async function runSynthesis(options: SynthesizeOptions, say: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<SynthesisRun> {
  const started = performance.now();
  const items = await loadItems(options, say);

  const log = await openRunCallLog(options.outDir, say);
  const calls = new EvalCalls(log);
  const images = new ImageDataUrls();
  const client = (spec: EndpointSpec) =>
    createEndpointClient(spec, { images, timeoutMs: options.timeoutMs, retry: { ...DEFAULT_RETRY_POLICY, retries: options.retries } });
  const endpoints = { teacher: client(options.teacher), target: options.target && client(options.target), judge: options.judge && client(options.judge) };
  const imageText = createImageTextSource(log, options.ocr);
  const context: SynthesisContext = {
    calls,
    ...endpoints,
    teacherMaxTokens: options.teacherMaxTokens,
    targetMaxTokens: options.targetMaxTokens,
    imageText: async (item) => quotedImageText(await imageText.outcome(item)),
  };

  const progress = createProgress(items.length, 'synthesize');
  // Enough items in flight to keep every endpoint's own queue busy.
  const queue = new PQueue({ concurrency: 4 * Math.max(...[options.teacher, options.target, options.judge].map((spec) => spec?.concurrency ?? 0)) });
  let fatal: unknown = null;
  const outcomes = await Promise.all(
    items.map((item) =>
      queue.add(async (): Promise<ItemSynthesis | { kind: 'failed'; error: string } | null> => {
        if (fatal !== null) return null;
        try {
          return await synthesizeItem(item, context, options.verify);
        } catch (error) {
          if (error instanceof EndpointAuthError) fatal ??= error;
          return { kind: 'failed', error: error instanceof Error ? error.message : String(error) };
        } finally {
          progress.tick();
        }
      }),
    ),
  );
  progress.stop();
  await imageText.dispose();
  await log.close();
  if (fatal !== null) throw fatal;

  const records = outcomes.flatMap((outcome) => (outcome?.kind === 'record' ? [outcome.record] : []));
  const rejections = outcomes.flatMap((outcome) => (outcome?.kind === 'rejection' ? [outcome.rejection] : []));
  const failed = items.flatMap((item, index) => {
    const outcome = outcomes[index];
    return outcome?.kind === 'failed' ? [{ id: item.id, error: outcome.error }] : [];
  });
  await writeFile(path.join(options.outDir, RECORDS_FILE), jsonl(records));
  await writeFile(path.join(options.outDir, REJECTIONS_FILE), jsonl(rejections));

  const clients = [endpoints.teacher, endpoints.target, endpoints.judge].filter((endpoint): endpoint is EndpointClient => endpoint !== null);
  const asked = clients.filter((endpoint) => {
    const counts = log.counts(endpoint.spec.name);
    return counts.calls + counts.cachedCalls > 0;
  });
  const settings = settingsOf(options, calls.allScripted(asked.map((endpoint) => endpoint.spec.name)));
  await writeFile(path.join(options.outDir, SETTINGS_FILE), `${JSON.stringify(settings, null, 2)}\n`);
  const exports = await writeTrainerExports({ records, rejections, settings, outDir: options.outDir });
  const tallies = [...clients.map((endpoint) => tally(log, endpoint.spec.name, endpoint.spec)), ...(options.ocr ? [tally(log, OCR_ENGINE_NAME, null)] : [])];
  return {
    records,
    rejections,
    failed,
    items: items.length,
    tallies,
    callsMade: tallies.reduce((sum, entry) => sum + entry.calls, 0),
    exports,
    settings,
    wallMs: Math.round(performance.now() - started),
  };
}

/** Every dataset's items (at most --limit each); missing images are named and left out; ids must be unique. */
async function loadItems(options: SynthesizeOptions, say: (line: string) => void): Promise<EvalItem[]> {
  const items: EvalItem[] = [];
  for (const spec of options.datasets) {
    const dataset = await loadDataset(spec).catch((error: unknown) => {
      throw new EvalInputError(error instanceof Error ? error.message : String(error));
    });
    if (dataset.missingImages.length > 0) {
      say(`${dataset.benchmark}: ${dataset.missingImages.length} items have no image file and are left out: ${dataset.missingImages.map((missing) => missing.id).join(', ')}`);
    }
    items.push(...(options.limit === null ? dataset.items : dataset.items.slice(0, options.limit)));
  }
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.id)) throw new EvalInputError(`Two datasets give the item ${item.id}: name them apart with --dataset NAME=FORMAT:PATH.`);
    seen.add(item.id);
  }
  return items;
}

function jsonl(rows: readonly unknown[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}

function settingsOf(options: SynthesizeOptions, scripted: boolean): Record<string, unknown> {
  return {
    scripted,
    datasets: options.datasets.map((spec) => `${spec.name ?? spec.format}=${spec.format}:${spec.path}`),
    limit: options.limit,
    teacher: endpointSettings(options.teacher),
    target: options.target && endpointSettings(options.target),
    judge: options.judge && endpointSettings(options.judge),
    verify: options.verify,
    judgeRubricVersion: options.verify ? JUDGE_RUBRIC_VERSION : null,
    ocr: options.ocr ? 'on: the instruction quotes the lines OCR found in the image' : 'off: the instruction holds no text read from the image',
    teacherMaxTokens: options.teacherMaxTokens,
    targetMaxTokens: options.targetMaxTokens,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
  };
}
