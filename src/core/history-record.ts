import * as v from 'valibot';
import {
  HISTORY_SCHEMA_VERSION,
  HistoryRecordSchema,
  LevelProbabilitiesSchema,
  SchemaVersionSchema,
  describeIssue,
  type HistoryRecord,
} from './history-record-schema.ts';
import type { ImageTextOutcome } from './image-text.ts';
import { DEFAULT_REASONING_MODE, type ReasoningMode } from './reasoning-mode.ts';
import type { LevelProbabilities, RewriteResult } from './rewrite-format.ts';
import type { GenerateResult, ImageSize, LoadedModel } from './rewriter-api.ts';

export { HISTORY_SCHEMA_VERSION } from './history-record-schema.ts';
export type { HistoryBackend, HistoryImage, HistoryRecord, HistoryTimings, RemoteAnswer, RemoteComparison } from './history-record-schema.ts';

export const HISTORY_THUMBNAIL_MAX_SIDE = 256;
export const HISTORY_MODEL_IMAGE_MAX_SIDE = 512;

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
  /** What OCR found in the image; 'off' when it did not run. */
  imageText?: ImageTextOutcome;
  /** The reasoning mode the rewriter was asked for; full when not given. */
  reasoning?: ReasoningMode;
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
    imageText: input.imageText ?? { kind: 'off' },
    reasoning: input.reasoning ?? DEFAULT_REASONING_MODE,
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
  const versioned = v.safeParse(SchemaVersionSchema, value, { abortEarly: true });
  if (!versioned.success) return invalid(describeIssue(versioned.issues));
  const version = versioned.output.schemaVersion;
  if (version > HISTORY_SCHEMA_VERSION) {
    return { ok: false, problem: 'newer', detail: `schemaVersion ${version} is newer than ${HISTORY_SCHEMA_VERSION}` };
  }
  // Version 1 is the first; a version 2 adds its step here: `if (version < 2) value = upgradeV1(value)`.
  const reading = v.safeParse(HistoryRecordSchema, value, { abortEarly: true });
  return reading.success ? { ok: true, record: reading.output } : invalid(describeIssue(reading.issues));
}

function invalid(detail: string): HistoryRecordReading {
  return { ok: false, problem: 'invalid', detail };
}

/** Null for a missing value; throws, naming `field`, for anything but four probabilities. */
export function readLevelProbabilities(value: unknown, field: string): LevelProbabilities | null {
  const reading = v.safeParse(LevelProbabilitiesSchema, value, { abortEarly: true });
  if (!reading.success) throw new Error(describeIssue(reading.issues, field));
  return reading.output;
}
