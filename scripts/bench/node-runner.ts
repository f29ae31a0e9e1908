/**
 * One benchmark job in its own Node process (forked by node-bench.ts), so that its peak RSS is its own and no
 * onnxruntime session of one job lives on into the next. Receives the job over IPC, answers with the records.
 */
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import type { SessionDtypes } from '../../src/core/model-catalog.ts';
import type { ModelSource } from '../../src/core/model-source.ts';
import { buildRewriteMessages } from '../../src/core/rewrite-prompt.ts';
import { planDevice } from '../../src/core/device-plan.ts';
import { configureTransformers } from '../../src/engine/transformers-environment.ts';
import { VlmEngine } from '../../src/engine/vlm-engine.ts';
import type { RewriteSample } from './bench-analysis.ts';
import { MODELS_DIR } from './bench-paths.ts';
import { benchModelRecord, FP32_DTYPES, rawModelFiles, rawModelShape } from './bench-model.ts';
import { ENGINE_VARIANTS, runEngineSuite, type EngineVariant, type SuiteRecords } from './engine-suite.ts';
import { compareWithOfficialConfig, type OfficialComparisonRecords } from './official-config.ts';
import { runConstrainedSuite, type ConstrainedSuiteRecords } from './constrained-suite.ts';
import { createNodeImageTextReader } from '../lib/node-ocr.ts';
import { runOcrSuite, type OcrSuiteRecords } from './ocr-suite.ts';
import type { OrtModule } from './raw-loop.ts';
import { recipeRequest, runRawLoopSweep, type RawLoopVariant, type RawLoopVariantRecords } from './recipe-suite.ts';
import { runRewriteSuite, type RewriteRunRecord } from './rewrite-suite.ts';

export type NodeJob =
  | { kind: 'probe'; modelId: string; dtypes: SessionDtypes; images: string[]; question: string; newTokens: number }
  | {
      kind: 'suite';
      modelId: string;
      dtypes: SessionDtypes;
      images: string[];
      questions: readonly string[];
      runs: number;
      loads: number;
      newTokens: number;
      cacheTokens: number;
      variants: EngineVariant[];
      orderExperiment: boolean;
      raw: boolean;
    }
  | {
      kind: 'constrained';
      modelId: string;
      dtypes: SessionDtypes;
      image: string;
      question: string;
      loads: number;
      runs: number;
      maxNewTokens: number;
    }
  | {
      kind: 'official';
      modelId: string;
      ourDtypes: SessionDtypes;
      image: string;
      warmUpImage: string;
      question: string;
      runs: number;
      newTokens: number;
    }
  | { kind: 'raw-sweep'; modelId: string; variants: RawLoopVariant[]; image: string; question: string; runs: number; newTokens: number }
  | { kind: 'rewrites'; modelId: string; dtypes: SessionDtypes; images: string[]; question: string; runs: number }
  | {
      kind: 'ocr';
      /** Test images (PNG paths) to read in turn. */
      images: Array<{ id: string; path: string }>;
      /** The rewrite-share runs on the bench model; null for none. */
      share: { modelId: string; dtypes: SessionDtypes; question: string; newTokens: number; runs: number; images: string[] } | null;
    };

export interface ProbeRecords {
  loadMs: number;
  /** Peak RSS once loaded (the job's maxRssBytes is the peak after the rewrites too). */
  loadedRssBytes: number;
  /** In order; the first is a warm-up. */
  rewrites: RewriteSample[];
}

export type NodeJobResult = {
  records: ProbeRecords | SuiteRecords | OfficialComparisonRecords | ConstrainedSuiteRecords | OcrSuiteRecords | RawLoopVariantRecords[] | RewriteRunRecord[];
  maxRssBytes: number;
};

const source: ModelSource = { localPath: MODELS_DIR, hubUrl: null };
const probeCapabilities = async () => ({ runtime: 'node' as const });
const log = (line: string) => process.send?.({ log: line });

async function blob(path: string): Promise<Blob> {
  return new Blob([new Uint8Array(await readFile(path))], { type: path.endsWith('.png') ? 'image/png' : 'image/jpeg' });
}

function maxRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

async function run(job: NodeJob): Promise<NodeJobResult['records']> {
  switch (job.kind) {
    case 'probe': {
      // One engine, loaded and used the way the app uses it: the peak memory of a rewrite.
      const model = benchModelRecord(job.modelId, job.dtypes);
      const engine = new VlmEngine({ probeCapabilities, tuning: ENGINE_VARIANTS.final });
      const started = performance.now();
      await engine.load({ model, source, preference: 'auto' }, () => undefined);
      const loadMs = performance.now() - started;
      const loadedRssBytes = maxRssBytes();
      const rewrites: RewriteSample[] = [];
      for (const image of job.images) {
        const result = await engine.generate(
          { image: await blob(image), messages: buildRewriteMessages(job.question), maxNewTokens: job.newTokens, outputFormat: null, minNewTokens: job.newTokens },
          () => undefined,
        );
        rewrites.push({ firstTokenMs: result.firstTokenMs, totalMs: result.totalMs, tokenCount: result.tokenCount, profile: result.profile });
        log(`probe rewrite ${rewrites.length}/${job.images.length}: first token ${Math.round(result.firstTokenMs)} ms`);
      }
      await engine.dispose();
      return { loadMs, loadedRssBytes, rewrites };
    }
    case 'suite': {
      const images = await Promise.all(job.images.map(blob));
      return runEngineSuite({
        model: benchModelRecord(job.modelId, job.dtypes),
        source,
        dtypes: job.dtypes,
        probeCapabilities,
        runs: job.runs,
        loads: job.loads,
        newTokens: job.newTokens,
        cacheTokens: job.cacheTokens,
        questions: job.questions,
        images,
        variants: job.variants,
        orderExperiment: job.orderExperiment,
        raw: job.raw
          ? {
              ort: ort as unknown as OrtModule,
              files: rawModelFiles(`${MODELS_DIR}${job.modelId}`, job.dtypes),
              shape: rawModelShape(JSON.parse(await readFile(`${MODELS_DIR}${job.modelId}/config.json`, 'utf8'))),
            }
          : undefined,
        log,
      });
    }
    case 'constrained':
      return runConstrainedSuite({
        model: benchModelRecord(job.modelId, job.dtypes),
        source,
        dtypes: job.dtypes,
        probeCapabilities,
        loads: job.loads,
        runs: job.runs,
        maxNewTokens: job.maxNewTokens,
        question: job.question,
        image: await blob(job.image),
        log,
      });
    case 'official':
      return compareWithOfficialConfig({
        model: benchModelRecord(job.modelId, job.ourDtypes),
        source,
        backend: 'cpu',
        ourDtypes: job.ourDtypes,
        probeCapabilities,
        image: await blob(job.image),
        warmUpImage: await blob(job.warmUpImage),
        runs: job.runs,
        newTokens: job.newTokens,
        question: job.question,
        log,
      });
    case 'raw-sweep': {
      const model = benchModelRecord(job.modelId, FP32_DTYPES);
      configureTransformers(source, planDevice(await probeCapabilities(), model));
      return runRawLoopSweep(
        {
          ort: ort as unknown as OrtModule,
          files: async (dtypes) => rawModelFiles(`${MODELS_DIR}${job.modelId}`, dtypes),
          shape: rawModelShape(JSON.parse(await readFile(`${MODELS_DIR}${job.modelId}/config.json`, 'utf8'))),
          request: await recipeRequest(model, await blob(job.image), job.question),
          runs: job.runs,
          newTokens: job.newTokens,
          log,
        },
        job.variants,
      );
    }
    case 'rewrites': {
      const engine = new VlmEngine({ probeCapabilities, tuning: ENGINE_VARIANTS.final });
      await engine.load({ model: benchModelRecord(job.modelId, job.dtypes), source, preference: 'auto' }, () => undefined);
      const records = await runRewriteSuite({ engine, question: job.question, images: await Promise.all(job.images.map(blob)), runs: job.runs, log });
      await engine.dispose();
      return records;
    }
    case 'ocr': {
      const { share } = job;
      return runOcrSuite({
        createReader: () => createNodeImageTextReader(),
        images: await Promise.all(job.images.map(async ({ id, path }) => ({ id, image: await blob(path) }))),
        share: share && {
          loadEngine: async () => {
            const engine = new VlmEngine({ probeCapabilities, tuning: ENGINE_VARIANTS.final });
            const info = await engine.load({ model: benchModelRecord(share.modelId, share.dtypes), source, preference: 'auto' }, () => undefined);
            return { engine, backend: info.plan.backend };
          },
          images: await Promise.all(share.images.map(blob)),
          question: share.question,
          newTokens: share.newTokens,
          runs: share.runs,
        },
        log,
      });
    }
  }
}

process.once('message', (job: NodeJob) => {
  run(job).then(
    (records) => {
      process.send?.({ result: { records, maxRssBytes: maxRssBytes() } satisfies NodeJobResult }, () => process.exit(0));
    },
    (error: unknown) => {
      process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1));
    },
  );
});
