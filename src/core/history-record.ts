import type { Backend } from './device-plan.ts';
import { describeFallbackReason } from './rewrite-decision.ts';
import {
  FALLBACK_REASONS,
  RISK_CATEGORIES,
  RISK_LEVELS,
  type FallbackReason,
  type LevelProbabilities,
  type RewriteResult,
  type RiskAnalysis,
} from './rewrite-format.ts';
import type { GenerateResult, ImageSize, LoadedModel, StopReason } from './rewriter-api.ts';

/** Bumped when a stored or exported record changes shape; migrateHistoryRecord() reads every older one. */
export const HISTORY_SCHEMA_VERSION = 1;

/** 'none': no model ran (the static defence). */
export type HistoryBackend = Backend | 'none';

/**
 * The image of a rewrite, as kept in history. The thumbnail is a JPEG data URL (longest side
 * ≤ HISTORY_THUMBNAIL_MAX_SIDE, ~5–20 KB), not a Blob: the Markdown and JSON exports need a data
 * URL anyway and are pure functions, a string survives every structured clone and JSON round
 * trip, and at this size base64's third more is cheaper than a second object store.
 */
export interface HistoryImage {
  name: string;
  thumbnailDataUrl: string;
  /** As uploaded (after EXIF orientation); null when it was never measured. */
  original: ImageSize | null;
  /** As the model's processor received it; null when no model ran. */
  processed: ImageSize | null;
  /**
   * The image the prompt was rewritten with, as a JPEG data URL at most HISTORY_MODEL_IMAGE_MAX_SIDE
   * on its longest side (the size SmolVLM's processor sees), so "use again" and "show" can bring it
   * back. Absent in records saved before it was kept; left out of exports, which carry the thumbnail.
   */
  modelImageDataUrl?: string;
}

export const HISTORY_THUMBNAIL_MAX_SIDE = 256;
export const HISTORY_MODEL_IMAGE_MAX_SIDE = 512;

export interface HistoryTimings {
  /** Load of the model that ran (it may have been loaded for an earlier rewrite); null when none ran. */
  loadMs: number | null;
  firstTokenMs: number | null;
  totalMs: number | null;
  tokenCount: number | null;
  /** Decode speed: tokens after the first over the time after the first; null when not measurable. */
  tokensPerSecond: number | null;
}

/** One remote model's answer, for the comparison view (a later feature; optional in records). */
export interface RemoteAnswer {
  text: string;
  firstTokenMs: number | null;
  totalMs: number | null;
  /** Set instead of (or after part of) text when the request failed. */
  error: string | null;
}

/**
 * A remote comparison. Only the host is kept, never the full URL (some services take keys in the
 * query string), and never a key or header.
 */
export interface RemoteComparison {
  host: string;
  model: string;
  original: RemoteAnswer | null;
  refined: RemoteAnswer | null;
}

/** One completed rewrite. Plain data: it survives structured clone (IndexedDB) and JSON unchanged. */
export interface HistoryRecord {
  schemaVersion: typeof HISTORY_SCHEMA_VERSION;
  id: string;
  /** ISO 8601, UTC (Date.prototype.toISOString), so string order is time order. */
  createdAt: string;
  image: HistoryImage;
  /** The user's prompt, as typed. */
  prompt: string;
  /** Outcome, refined prompt, analysis and fallback reason, exactly as the policy decided them. */
  rewrite: RewriteResult;
  /** The refined prompt after the user edited it; null when unedited. */
  editedPrompt: string | null;
  /** The model's raw output, for reopening a record; empty when no model ran. */
  rawOutput: string;
  stopReason: StopReason | null;
  /** Null when no model ran (the static defence). */
  model: { id: string; label: string } | null;
  backend: { kind: HistoryBackend; reason: string };
  timings: HistoryTimings;
  remote?: RemoteComparison;
}

export interface HistoryRecordInput {
  /** crypto.randomUUID() in the app; passed in to keep this pure. */
  id: string;
  createdAt: Date;
  image: { name: string; thumbnailDataUrl: string; original: ImageSize | null; modelImageDataUrl?: string };
  prompt: string;
  rewrite: RewriteResult;
  editedPrompt?: string | null;
  /** The loaded model and its catalog label; null for the static defence. */
  model: { loaded: LoadedModel; label: string } | null;
  /** Null when no model ran. */
  generation: GenerateResult | null;
}

export const NO_MODEL_BACKEND_REASON = 'No model ran: the static defence wrapped the prompt.';

/** Builds the record of a finished rewrite from what the app holds when it finishes. */
export function buildHistoryRecord(input: HistoryRecordInput): HistoryRecord {
  const { model, generation } = input;
  const edited = input.editedPrompt ?? null;
  return {
    schemaVersion: HISTORY_SCHEMA_VERSION,
    id: input.id,
    createdAt: input.createdAt.toISOString(),
    image: {
      name: input.image.name,
      thumbnailDataUrl: input.image.thumbnailDataUrl,
      original: generation?.image?.original ?? input.image.original,
      processed: generation?.image?.processed ?? null,
      ...(input.image.modelImageDataUrl ? { modelImageDataUrl: input.image.modelImageDataUrl } : {}),
    },
    prompt: input.prompt,
    rewrite: input.rewrite,
    editedPrompt: edited === input.rewrite.refinedPrompt ? null : edited,
    rawOutput: generation?.text ?? '',
    stopReason: generation?.stopReason ?? null,
    model: model ? { id: model.loaded.modelId, label: model.label } : null,
    backend: model
      ? { kind: model.loaded.plan.backend, reason: describeBackendReason(model.loaded) }
      : { kind: 'none', reason: NO_MODEL_BACKEND_REASON },
    timings: {
      loadMs: model?.loaded.loadMs ?? null,
      firstTokenMs: generation?.firstTokenMs ?? null,
      totalMs: generation?.totalMs ?? null,
      tokenCount: generation?.tokenCount ?? null,
      tokensPerSecond: generation ? tokensPerSecond(generation) : null,
    },
  };
}

function describeBackendReason(loaded: LoadedModel): string {
  return loaded.webGpuFailure
    ? `${loaded.plan.reason} (WebGPU failed: ${loaded.webGpuFailure})`
    : loaded.plan.reason;
}

/**
 * Decode speed, excluding the first token, whose time is image encoding and prefill; null for
 * fewer than two tokens or no measurable time.
 */
export function tokensPerSecond(generation: Pick<GenerateResult, 'tokenCount' | 'firstTokenMs' | 'totalMs'>): number | null {
  const decodeMs = generation.totalMs - generation.firstTokenMs;
  if (generation.tokenCount < 2 || decodeMs <= 0) return null;
  return ((generation.tokenCount - 1) * 1000) / decodeMs;
}

/** The prompt that goes on to the target model: the user's edit if any, else the refined prompt. */
export function finalPrompt(record: Pick<HistoryRecord, 'rewrite' | 'editedPrompt'>): string {
  return record.editedPrompt ?? record.rewrite.refinedPrompt;
}

export type HistoryRecordReading =
  | { ok: true; record: HistoryRecord }
  /** 'newer': written by a newer app; keep it stored, but do not show it. 'invalid': not a record. */
  | { ok: false; problem: 'newer' | 'invalid'; detail: string };

/**
 * Reads a stored or imported value as a current record: every field is checked and copied by
 * name (nothing unknown is carried over), and older schema versions are upgraded here.
 */
export function migrateHistoryRecord(value: unknown): HistoryRecordReading {
  if (!isObject(value)) return invalid('not an object');
  const version = value.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return invalid('no schemaVersion');
  if (version > HISTORY_SCHEMA_VERSION) {
    return { ok: false, problem: 'newer', detail: `schemaVersion ${version} is newer than ${HISTORY_SCHEMA_VERSION}` };
  }
  // Version 1 is the first; a version 2 adds its step here: `if (version < 2) value = upgradeV1(value)`.
  try {
    return { ok: true, record: readV1(value) };
  } catch (error) {
    return invalid(error instanceof Error ? error.message : String(error));
  }
}

function invalid(detail: string): HistoryRecordReading {
  return { ok: false, problem: 'invalid', detail };
}

function readV1(value: Record<string, unknown>): HistoryRecord {
  const image = object(value.image, 'image');
  const model = value.model === null ? null : object(value.model, 'model');
  const backend = object(value.backend, 'backend');
  const timings = object(value.timings, 'timings');
  const createdAt = string(value.createdAt, 'createdAt');
  if (Number.isNaN(Date.parse(createdAt))) throw new Error('createdAt is not a date');
  const record: HistoryRecord = {
    schemaVersion: HISTORY_SCHEMA_VERSION,
    id: string(value.id, 'id'),
    createdAt,
    image: {
      name: string(image.name, 'image.name'),
      thumbnailDataUrl: string(image.thumbnailDataUrl, 'image.thumbnailDataUrl'),
      original: readSize(image.original, 'image.original'),
      processed: readSize(image.processed, 'image.processed'),
    },
    prompt: string(value.prompt, 'prompt'),
    rewrite: readRewrite(value.rewrite),
    editedPrompt: nullableString(value.editedPrompt, 'editedPrompt'),
    rawOutput: value.rawOutput === undefined ? '' : string(value.rawOutput, 'rawOutput'),
    stopReason: readStopReason(value.stopReason),
    model: model ? { id: string(model.id, 'model.id'), label: string(model.label, 'model.label') } : null,
    backend: { kind: readBackend(backend.kind), reason: string(backend.reason, 'backend.reason') },
    timings: {
      loadMs: nullableNumber(timings.loadMs, 'timings.loadMs'),
      firstTokenMs: nullableNumber(timings.firstTokenMs, 'timings.firstTokenMs'),
      totalMs: nullableNumber(timings.totalMs, 'timings.totalMs'),
      tokenCount: nullableNumber(timings.tokenCount, 'timings.tokenCount'),
      tokensPerSecond: nullableNumber(timings.tokensPerSecond, 'timings.tokensPerSecond'),
    },
  };
  if (image.modelImageDataUrl !== undefined) record.image.modelImageDataUrl = string(image.modelImageDataUrl, 'image.modelImageDataUrl');
  if (value.remote !== undefined) record.remote = readRemote(value.remote);
  return record;
}

/** Records saved before decisions carried an explanation and level probabilities read with these. */
const LEGACY_EXPLANATIONS = {
  rewritten: 'Rewritten: the model judged a risk and wrote a refined prompt.',
  'passed-through': 'Passed through: the model found no risk.',
} as const;

function readRewrite(value: unknown): RewriteResult {
  const rewrite = object(value, 'rewrite');
  const refinedPrompt = string(rewrite.refinedPrompt, 'rewrite.refinedPrompt');
  const analysis = readAnalysis(rewrite.analysis);
  const levelProbabilities = readLevelProbabilities(rewrite.levelProbabilities, 'rewrite.levelProbabilities');
  const explanation = (legacy: string) =>
    rewrite.explanation === undefined ? legacy : string(rewrite.explanation, 'rewrite.explanation');
  switch (rewrite.outcome) {
    case 'rewritten':
    case 'passed-through':
      return {
        outcome: rewrite.outcome,
        refinedPrompt,
        analysis,
        levelProbabilities,
        explanation: explanation(LEGACY_EXPLANATIONS[rewrite.outcome]),
      };
    case 'fallback': {
      const reason = readFallbackReason(rewrite.reason);
      return { outcome: 'fallback', reason, refinedPrompt, analysis, levelProbabilities, explanation: explanation(describeFallbackReason(reason)) };
    }
    default:
      throw new Error('rewrite.outcome is unknown');
  }
}

/** Null for a missing value; throws, naming `field`, for anything but four probabilities. */
export function readLevelProbabilities(value: unknown, field: string): LevelProbabilities | null {
  if (value === undefined || value === null) return null;
  const probabilities = object(value, field);
  const read = (level: (typeof RISK_LEVELS)[number]) => {
    const probability = probabilities[level];
    if (typeof probability !== 'number' || !(probability >= 0 && probability <= 1)) {
      throw new Error(`${field}.${level} is not a probability between 0 and 1`);
    }
    return probability;
  };
  return { none: read('none'), low: read('low'), medium: read('medium'), high: read('high') };
}

function readAnalysis(value: unknown): RiskAnalysis {
  const analysis = object(value, 'rewrite.analysis');
  const level = analysis.level;
  const category = analysis.category;
  return {
    textual: string(analysis.textual, 'analysis.textual'),
    visual: string(analysis.visual, 'analysis.visual'),
    crossModal: string(analysis.crossModal, 'analysis.crossModal'),
    level: level === null ? null : oneOf(level, RISK_LEVELS, 'analysis.level'),
    category: category === null ? null : oneOf(category, Object.keys(RISK_CATEGORIES) as Array<keyof typeof RISK_CATEGORIES>, 'analysis.category'),
  };
}

const STOP_REASONS: readonly StopReason[] = ['end-of-text', 'max-tokens', 'stopped'];
const HISTORY_BACKENDS: readonly HistoryBackend[] = ['webgpu', 'wasm', 'cpu', 'none'];

function readFallbackReason(value: unknown): FallbackReason {
  return oneOf(value, FALLBACK_REASONS, 'rewrite.reason');
}

function readStopReason(value: unknown): StopReason | null {
  return value === null || value === undefined ? null : oneOf(value, STOP_REASONS, 'stopReason');
}

function readBackend(value: unknown): HistoryBackend {
  return oneOf(value, HISTORY_BACKENDS, 'backend.kind');
}

function readSize(value: unknown, what: string): ImageSize | null {
  if (value === null || value === undefined) return null;
  const size = object(value, what);
  return { width: number(size.width, `${what}.width`), height: number(size.height, `${what}.height`) };
}

function readRemote(value: unknown): RemoteComparison {
  const remote = object(value, 'remote');
  return {
    host: string(remote.host, 'remote.host'),
    model: string(remote.model, 'remote.model'),
    original: readRemoteAnswer(remote.original, 'remote.original'),
    refined: readRemoteAnswer(remote.refined, 'remote.refined'),
  };
}

function readRemoteAnswer(value: unknown, what: string): RemoteAnswer | null {
  if (value === null || value === undefined) return null;
  const answer = object(value, what);
  return {
    text: string(answer.text, `${what}.text`),
    firstTokenMs: nullableNumber(answer.firstTokenMs, `${what}.firstTokenMs`),
    totalMs: nullableNumber(answer.totalMs, `${what}.totalMs`),
    error: nullableString(answer.error, `${what}.error`),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (!isObject(value)) throw new Error(`${what} is not an object`);
  return value;
}

function string(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} is not a string`);
  return value;
}

function nullableString(value: unknown, what: string): string | null {
  return value === null || value === undefined ? null : string(value, what);
}

function number(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${what} is not a number`);
  return value;
}

function nullableNumber(value: unknown, what: string): number | null {
  return value === null || value === undefined ? null : number(value, what);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw new Error(`${what} is unknown`);
  return value as T;
}
