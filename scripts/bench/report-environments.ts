/** The report's machine, model and environment rows (report-schema.ts). */
import * as v from 'valibot';
import { dtypes, finiteNumber, listOf, nonEmptyListOf, nonNegative, oneOf, recordOf, shape, summary, text, flag } from './report-fields.ts';

export const MachineInfoSchema = shape({
  cpu: text,
  cores: nonNegative,
  memoryGiB: nonNegative,
  os: text,
  node: text,
  chromium: v.nullable(text),
  /** Versions of the runtime packages, from their package.json. */
  packages: recordOf(text),
  gpu: v.nullable(text),
  /** Load average when the run started: other work on the machine makes every absolute number noisier. */
  loadAverage: listOf(nonNegative),
});

export const ModelInfoSchema = shape({
  id: text,
  kind: oneOf(['tiny', 'realistic']),
  /** The generator's ModelDims of the realistic model; null for the tiny fixture. */
  dims: v.nullable(recordOf(finiteNumber)),
  files: nonEmptyListOf(shape({ path: text, bytes: nonNegative })),
  promptTokens: nonNegative,
  differencesFromRealExport: listOf(text),
});

const LongTaskCountSchema = shape({ count: nonNegative, totalMs: nonNegative, longestMs: nonNegative });

const ConfigReportSchema = shape({
  name: text,
  dtypes,
  /** Files → ready (no warm-up generation). */
  loadMs: summary,
  /** Image decode and resize, chat template, tokenization, pixel preprocessing. */
  preprocessMs: summary,
  /** The vision encoder run for one image (one 512-px tile). */
  visionMs: summary,
  /** From the generate call to the first new token: preprocessing, vision, prefill. */
  firstTokenMs: summary,
  /** Over `newTokens` forced new tokens, excluding the first. */
  decodeTokensPerSecond: summary,
  totalMs: summary,
  newTokens: nonNegative,
  peakMemoryMB: v.nullable(nonNegative),
  memoryMeasure: text,
});

export const EnvironmentReportSchema = shape({
  name: oneOf(['node', 'chromium-wasm', 'chromium-webgpu']),
  backend: text,
  threads: v.nullable(nonNegative),
  crossOriginIsolated: v.nullable(flag),
  configs: nonEmptyListOf(ConfigReportSchema),
  /** Main-thread long tasks (> 50 ms) while the worker loaded the model and while it generated; browser only. */
  longTasks: v.nullable(shape({ load: LongTaskCountSchema, generate: LongTaskCountSchema })),
});

export type MachineInfo = v.InferOutput<typeof MachineInfoSchema>;
export type ModelInfo = v.InferOutput<typeof ModelInfoSchema>;
export type LongTaskCount = v.InferOutput<typeof LongTaskCountSchema>;
export type ConfigReport = v.InferOutput<typeof ConfigReportSchema>;
export type EnvironmentReport = v.InferOutput<typeof EnvironmentReportSchema>;
