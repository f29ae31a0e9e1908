/** What the benchmark's sections share: the inputs they read (BenchContext) and the rows they add (BenchCollector). */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SessionDtypes } from '../../src/core/model-catalog.ts';
import { bandwidthComparison } from './bench-analysis.ts';
import { kvBytesPerPosition, onnxFileName } from './bench-model.ts';
import type { BenchImageSet } from './bench-images.ts';
import type { BenchOptions } from './bench-options.ts';
import type { TestSetManifest } from '../ocr-test-set/test-set.ts';
import type { BandwidthMeasurement } from './memory-bandwidth.ts';
import type { RawModelShape } from './raw-loop.ts';
import type { BenchReport, EnvironmentReport } from './report-schema.ts';

export interface BenchModel {
  /** A path below MODELS_DIR, the same in Node and in the browser. */
  id: string;
  dir: string;
  shape: RawModelShape;
}

export interface BenchContext {
  options: BenchOptions;
  model: BenchModel;
  images: BenchImageSet;
  /** The image of the constrained runs and the official comparison's warm-up. */
  firstImage: string;
  question: string;
  /** Measured in Node, on this machine. */
  bandwidth: BandwidthMeasurement;
  /** The OCR test set (report seed) the OCR section reads; null when that section does not run. */
  ocrTestSet: { dir: string; manifest: TestSetManifest } | null;
  log: (line: string) => void;
}

/** What the sections add to the report, in the order they ran. */
export interface BenchCollector {
  environments: EnvironmentReport[];
  rawLoop: BenchReport['comparisons']['rawLoop'];
  officialConfig: BenchReport['comparisons']['officialConfig'];
  bandwidth: BenchReport['comparisons']['bandwidth'];
  optimisations: BenchReport['optimisations'];
  constrained: BenchReport['constrained'];
  ocr: BenchReport['ocr'];
  recipes: BenchReport['recipes'];
  sessionOptions: BenchReport['sessionOptions'];
  rewrites: BenchReport['rewrites'];
  bundle: BenchReport['bundle'];
  missing: BenchReport['missing'];
  /** The adapter the WebGPU rows ran on (--gpu); null when none did. */
  gpu: string | null;
  /** The prompt length of the first section that measured one; 0 while none has. */
  promptTokens: number;
}

export function emptyCollector(): BenchCollector {
  return { environments: [], rawLoop: [], officialConfig: [], bandwidth: [], optimisations: [], constrained: [], ocr: [], recipes: [], sessionOptions: [], rewrites: [], bundle: null, missing: [], gpu: null, promptTokens: 0 };
}

export async function modelFileBytes(model: BenchModel, file: string): Promise<number> {
  return (await stat(join(model.dir, file))).size;
}

/** Adds the row comparing one configuration's decode speed with the memory-bandwidth limit. */
export async function addBandwidthRow(
  context: BenchContext,
  collector: BenchCollector,
  row: {
    environment: string;
    config: string;
    dtypes: SessionDtypes;
    bandwidth: { gbPerSecond: number; method: string };
    promptTokens: number;
    decodeTokensPerSecond: number;
  },
): Promise<void> {
  collector.bandwidth.push(
    bandwidthComparison({
      environment: row.environment,
      config: row.config,
      bandwidth: row.bandwidth,
      decoderBytes: await modelFileBytes(context.model, onnxFileName('decoder_model_merged', row.dtypes)),
      kvBytesPerPosition: kvBytesPerPosition(context.model.shape),
      promptTokens: row.promptTokens,
      newTokens: context.options.settings.newTokens,
      decodeTokensPerSecond: row.decodeTokensPerSecond,
    }),
  );
}
