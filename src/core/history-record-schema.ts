/**
 * The shape of a history record, as stored in IndexedDB and written to exports: valibot schemas, and the types
 * derived from them. Each schema's message is the predicate of a sentence whose subject is the field's path
 * ("backend.kind is unknown"), so a refused record says what is wrong with it in words.
 */
import * as v from 'valibot';
import type { Backend } from './runtime-capabilities.ts';
import { REASONING_MODES } from './reasoning-mode.ts';
import { describeFallbackReason } from './rewrite-decision.ts';
import { FALLBACK_REASONS, RISK_CATEGORIES, RISK_LEVELS, type RewriteResult, type RiskCategory } from './rewrite-format.ts';
import type { StopReason } from './rewriter-api.ts';

/** Bumped when a stored or exported record changes shape; migrateHistoryRecord() reads every older one. */
export const HISTORY_SCHEMA_VERSION = 1;

/** What an object schema says of its own issues: the value is no object, a key is missing, or (a variant) its kind is unknown. */
function objectMessage(issue: v.BaseIssue<unknown>): string {
  const at = issue.path?.at(-1);
  if (!at) return 'is not an object';
  return at.origin === 'key' ? 'is missing' : 'is unknown';
}

const fields = <TEntries extends v.ObjectEntries>(entries: TEntries) => v.object(entries, objectMessage);
const text = v.string('is not a string');
const finiteNumber = v.pipe(v.number('is not a number'), v.finite('is not a number'));
/** Missing, null or a string; missing reads as null. */
const optionalText = v.nullish(text, null);
const optionalNumber = v.nullish(finiteNumber, null);
const oneOf = <const TOptions extends readonly string[]>(options: TOptions) => v.picklist(options, 'is unknown');

const STOP_REASONS = ['end-of-text', 'max-tokens', 'stopped'] as const satisfies readonly StopReason[];
const HISTORY_BACKENDS = ['webgpu', 'wasm', 'cpu', 'none'] as const satisfies readonly (Backend | 'none')[];
const RISK_CATEGORY_NAMES = Object.keys(RISK_CATEGORIES) as RiskCategory[];

const ImageSizeSchema = fields({ width: finiteNumber, height: finiteNumber });

export const HistoryImageSchema = fields({
  name: text,
  thumbnailDataUrl: text,
  /** As uploaded (after EXIF orientation); null when it was never measured. */
  original: v.nullish(ImageSizeSchema, null),
  /** As the model's processor received it; null when no model ran. */
  processed: v.nullish(ImageSizeSchema, null),
  /**
   * The image the prompt was rewritten with, as a JPEG data URL at most HISTORY_MODEL_IMAGE_MAX_SIDE
   * on its longest side (the size SmolVLM's processor sees), so "use again" and "show" can bring it
   * back. Absent in records saved before it was kept; left out of exports, which carry the thumbnail.
   */
  modelImageDataUrl: v.optional(text),
});

const probability = v.pipe(
  v.number('is not a probability between 0 and 1'),
  v.minValue(0, 'is not a probability between 0 and 1'),
  v.maxValue(1, 'is not a probability between 0 and 1'),
);
/** The probability of each level where the model chose it; missing (an older record, an unconstrained run) reads as null. */
export const LevelProbabilitiesSchema = v.nullish(fields({ none: probability, low: probability, medium: probability, high: probability }), null);

const RiskAnalysisSchema = fields({
  textual: text,
  visual: text,
  crossModal: text,
  /** The brief reasoning mode's one analysis; absent otherwise, and in records saved before the modes. */
  summary: v.optional(text),
  level: v.nullable(oneOf(RISK_LEVELS)),
  category: v.nullable(oneOf(RISK_CATEGORY_NAMES)),
});

/** Records saved before decisions carried an explanation and level probabilities read with these. */
const LEGACY_EXPLANATIONS = {
  rewritten: 'Rewritten: the model judged a risk and wrote a refined prompt.',
  'passed-through': 'Passed through: the model found no risk.',
} as const;

const decided = {
  refinedPrompt: text,
  analysis: RiskAnalysisSchema,
  levelProbabilities: LevelProbabilitiesSchema,
  explanation: v.optional(text),
};

const RewriteSchema = v.pipe(
  v.variant(
    'outcome',
    [
      fields({ outcome: v.literal('rewritten'), ...decided }),
      fields({ outcome: v.literal('passed-through'), ...decided }),
      fields({ outcome: v.literal('fallback'), reason: oneOf(FALLBACK_REASONS), ...decided }),
    ],
    objectMessage,
  ),
  v.transform(
    (rewrite): RewriteResult => ({
      ...rewrite,
      explanation:
        rewrite.explanation ?? (rewrite.outcome === 'fallback' ? describeFallbackReason(rewrite.reason) : LEGACY_EXPLANATIONS[rewrite.outcome]),
    }),
  ),
);

const PointSchema = fields({ x: finiteNumber, y: finiteNumber });

/** What OCR found in the image, as the rewriter was told it; records saved before OCR read as 'off'. */
export const ImageTextSchema = v.variant(
  'kind',
  [
    fields({
      kind: v.literal('read'),
      reading: fields({
        lines: v.array(fields({ text, confidence: probability, box: v.array(PointSchema) }), 'is not a list'),
        imageSize: ImageSizeSchema,
        ms: finiteNumber,
      }),
    }),
    fields({ kind: v.literal('off') }),
    fields({ kind: v.literal('failed'), message: text }),
  ],
  objectMessage,
);

const HistoryTimingsSchema = fields({
  /** Load of the model that ran (it may have been loaded for an earlier rewrite); null when none ran. */
  loadMs: optionalNumber,
  firstTokenMs: optionalNumber,
  totalMs: optionalNumber,
  tokenCount: optionalNumber,
  /** Decode speed: tokens after the first over the time after the first; null when not measurable. */
  tokensPerSecond: optionalNumber,
});

const RemoteAnswerSchema = fields({
  text,
  firstTokenMs: optionalNumber,
  totalMs: optionalNumber,
  /** Set instead of (or after part of) text when the request failed. */
  error: optionalText,
});

/**
 * A remote comparison. Only the host is kept, never the full URL (some services take keys in the
 * query string), and never a key or header.
 */
const RemoteComparisonSchema = fields({
  host: text,
  model: text,
  original: v.nullish(RemoteAnswerSchema, null),
  refined: v.nullish(RemoteAnswerSchema, null),
});

/**
 * A record of the current version. Only known fields are read (nothing unknown, a key say, is carried over);
 * fields that older records lack read as null, '' or the legacy explanation.
 */
export const HistoryRecordSchema = fields({
  schemaVersion: v.literal(HISTORY_SCHEMA_VERSION, 'is not the current version'),
  id: text,
  /** ISO 8601, UTC (Date.prototype.toISOString), so string order is time order. */
  createdAt: v.pipe(
    text,
    v.check((value) => !Number.isNaN(Date.parse(value)), 'is not a date'),
  ),
  image: HistoryImageSchema,
  /** The user's prompt, as typed. */
  prompt: text,
  /** Outcome, refined prompt, analysis and fallback reason, exactly as the policy decided them. */
  rewrite: RewriteSchema,
  /** The refined prompt after the user edited it; null when unedited. */
  editedPrompt: optionalText,
  /** The model's raw output, for reopening a record; empty when no model ran. */
  rawOutput: v.optional(text, ''),
  stopReason: v.nullish(oneOf(STOP_REASONS), null),
  /** Null when no model ran (the static defence). */
  model: v.nullable(fields({ id: text, label: text })),
  backend: fields({ kind: oneOf(HISTORY_BACKENDS), reason: text }),
  timings: HistoryTimingsSchema,
  imageText: v.optional(ImageTextSchema, { kind: 'off' }),
  /** How much the model analysed before its verdict (src/core/reasoning-mode.ts); records saved before the modes were full. */
  reasoning: v.optional(oneOf(REASONING_MODES), 'full'),
  remote: v.optional(RemoteComparisonSchema),
});

/** Any stored or imported record's version, read before the record itself. */
export const SchemaVersionSchema = fields({
  schemaVersion: v.pipe(v.number('is not a version'), v.integer('is not a version'), v.minValue(1, 'is not a version')),
});

/**
 * The image of a rewrite, as kept in history. The thumbnail is a JPEG data URL (longest side
 * ≤ HISTORY_THUMBNAIL_MAX_SIDE, ~5–20 KB), not a Blob: the Markdown and JSON exports need a data
 * URL anyway and are pure functions, a string survives every structured clone and JSON round
 * trip, and at this size base64's third more is cheaper than a second object store.
 */
export type HistoryImage = v.InferOutput<typeof HistoryImageSchema>;
/** 'none': no model ran (the static defence). */
export type HistoryBackend = (typeof HISTORY_BACKENDS)[number];
export type HistoryTimings = v.InferOutput<typeof HistoryTimingsSchema>;
/** One remote model's answer, for the comparison view (optional in records). */
export type RemoteAnswer = v.InferOutput<typeof RemoteAnswerSchema>;
export type RemoteComparison = v.InferOutput<typeof RemoteComparisonSchema>;
/** One completed rewrite. Plain data: it survives structured clone (IndexedDB) and JSON unchanged. */
export type HistoryRecord = v.InferOutput<typeof HistoryRecordSchema>;

/** The first issue as a sentence that names the field, e.g. "backend.kind is unknown"; `root` prefixes the path. */
export function describeIssue(issues: readonly [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]], root?: string): string {
  const [issue] = issues;
  const field = [root, v.getDotPath(issue)].filter(Boolean).join('.');
  return `${field || 'the record'} ${issue.message}`;
}
