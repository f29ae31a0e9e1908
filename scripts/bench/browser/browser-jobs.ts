import type { SessionDtypes } from '../../../src/core/model-catalog.ts';
import type { WebGpuAvailability } from '../../../src/core/runtime-capabilities.ts';
import type { GenerateProfile } from '../../../src/engine/vlm-engine.ts';
import type { EngineVariant, SuiteRecords } from '../engine-suite.ts';
import type { OfficialComparisonRecords } from '../official-config.ts';
import type { ConstrainedSuiteRecords } from '../constrained-suite.ts';
import type { RawModelShape } from '../raw-loop.ts';
import type { OcrSuiteRecords } from '../ocr-suite.ts';
import type { RawLoopVariant, RawLoopVariantRecords } from '../recipe-suite.ts';
import type { RewriteRunRecord } from '../rewrite-suite.ts';

/** What the page's worker can be asked to do; URLs are relative to the bench server's origin. */
export interface BrowserEnvironment {
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  webgpu: WebGpuAvailability & { architecture?: string };
  userAgent: string;
}

export interface BrowserProbeJob {
  modelId: string;
  dtypes: SessionDtypes;
  backend: 'wasm' | 'webgpu';
  imageUrls: string[];
  question: string;
  newTokens: number;
}

export interface BrowserLoadResult {
  loadMs: number;
  backend: string;
  threads: number | null;
}

export interface BrowserRewriteResult {
  firstTokenMs: number;
  totalMs: number;
  tokenCount: number;
  profile: GenerateProfile;
}

export interface BrowserSuiteJob {
  modelId: string;
  dtypes: SessionDtypes;
  imageUrls: string[];
  questions: readonly string[];
  runs: number;
  loads: number;
  newTokens: number;
  cacheTokens: number;
  variants: EngineVariant[];
  orderExperiment: boolean;
  sameImage: boolean;
  rawShape: RawModelShape | null;
}

export interface BrowserOfficialJob {
  modelId: string;
  ourDtypes: SessionDtypes;
  imageUrl: string;
  warmUpImageUrl: string;
  question: string;
  runs: number;
  newTokens: number;
}

export interface BrowserConstrainedJob {
  modelId: string;
  dtypes: SessionDtypes;
  imageUrl: string;
  question: string;
  loads: number;
  runs: number;
  maxNewTokens: number;
}

export interface BrowserRawSweepJob {
  modelId: string;
  variants: RawLoopVariant[];
  imageUrl: string;
  question: string;
  runs: number;
  newTokens: number;
  rawShape: RawModelShape;
  /** onnxruntime-web's thread count, when not the app's: it is fixed once its wasm starts, so only a fresh worker takes it. */
  threads?: number;
}

export interface BrowserRewriteJob {
  modelId: string;
  dtypes: SessionDtypes;
  imageUrls: string[];
  question: string;
  runs: number;
}

export interface BrowserOcrJob {
  /** The bench model: its WASM plan sets the thread count, and the share runs rewrite with it. */
  modelId: string;
  dtypes: SessionDtypes;
  /** Test images to read in turn. */
  images: Array<{ id: string; url: string }>;
  share: { question: string; newTokens: number; runs: number; imageUrls: string[] } | null;
}

export interface BrowserOcrResult {
  records: OcrSuiteRecords;
  threads: number | null;
}

export interface BrowserBandwidth {
  gbPerSecond: number;
  method: string;
}

export interface BenchWorkerApi {
  environment(): Promise<BrowserEnvironment>;
  load(job: BrowserProbeJob): Promise<BrowserLoadResult>;
  rewrite(imageUrl: string): Promise<BrowserRewriteResult>;
  unload(): Promise<void>;
  /** `log` receives one progress line per rewrite (a Comlink proxy from the page). */
  suite(job: BrowserSuiteJob, log: (line: string) => void): Promise<SuiteRecords>;
  official(job: BrowserOfficialJob): Promise<OfficialComparisonRecords>;
  /** Constrained against unconstrained generation (constrained-suite.ts); `log` as for suite. */
  constrained(job: BrowserConstrainedJob, log: (line: string) => void): Promise<ConstrainedSuiteRecords>;
  bandwidth(megabytes: number, repeats: number): Promise<BrowserBandwidth>;
  /** The raw loop on each variant (recipe-suite.ts); `log` as for suite. */
  rawSweep(job: BrowserRawSweepJob, log: (line: string) => void): Promise<RawLoopVariantRecords[]>;
  /** A whole rewrite per reasoning mode (rewrite-suite.ts); `log` as for suite. */
  rewrites(job: BrowserRewriteJob, log: (line: string) => void): Promise<RewriteRunRecord[]>;
  /** OCR on onnxruntime-web (WASM), as ocr-suite.ts; `log` as for suite. */
  ocr(job: BrowserOcrJob, log: (line: string) => void): Promise<BrowserOcrResult>;
}
